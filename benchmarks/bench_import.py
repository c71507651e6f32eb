"""Import throughput: N snscrape-JSONL tweets into a fresh SQLite store, with memory watched.

    python benchmarks/bench_import.py              # 1,000,000 posts (about 2.6 GB of JSONL in a temp dir)
    python benchmarks/bench_import.py --n 100000   # quicker
    python benchmarks/bench_import.py --n 200000 --reimport   # also time a second import (all updates)

The records are shaped by snscrape's own Tweet/User dataclasses (every field its JSONL writer emits,
nulls and deprecated aliases included) with varied Indonesian-looking text, 20,000 authors, hashtags,
mentions and links, so lines are as long as real ones (about 2.6 kB). The file is generated streaming
and is not counted in the import time. Resident memory (RSS) is sampled every half second during the
import and printed at each tenth of the file, to show that it stays flat. Target: >= 25,000 posts/s.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.collect.files import import_file
from pipeline.config import CollectSettings, LoggingSettings, Settings, StoreSettings
from pipeline.store import open_store

VOCAB = (
    "ayo coblos pilih dukung warga desa kabupaten tanjung sari nusa jaya pak bu mas bang pilkada "
    "bupati gubernur kampanye debat visi misi program jalan rusak sekolah guru honorer puskesmas "
    "bidan petani pasar harga beras minyak banjir hujan macet kerja nyata lanjutkan perubahan bersih "
    "jujur amanah yg gak udah bgt aja dong sih deh nih tuh kok lho wkwk mantap siap gas terus "
    "semangat bismillah hari ini besok kemarin malam pagi sore relawan posko tps kpu bawaslu netral "
    "asn pns camat lurah"
)
WORDS = VOCAB.split()
TAGS = [
    "BAYUMenang",
    "LanjutkanHendra",
    "RAGAPerubahan",
    "DAMAINusaJaya",
    "FitriGubernur",
    "01Menang",
    "HERAJilid2",
    "03Bisa",
    "PilkadaTanjungSari",
    "InfoWarga",
    "KulinerTanjungSari",
]
EMOJI = ["🙏", "💪", "🔥", "😂", "🤔", "👍", "❤️", "🇮🇩", "😡", ""]


def template() -> dict:
    """A full snscrape 0.7 Tweet record, written by snscrape itself."""
    import snscrape.modules.twitter as tw

    user = tw.User(
        username="u",
        id=1,
        displayname="U",
        rawDescription="d",
        renderedDescription="d",
        created=dt.datetime(2015, 1, 1, tzinfo=dt.UTC),
        followersCount=1,
        friendsCount=1,
        statusesCount=1,
        favouritesCount=1,
        listedCount=0,
        mediaCount=0,
        location="",
        verified=False,
        protected=False,
        profileImageUrl="https://pbs.twimg.com/profile_images/1/a_normal.jpg",
        profileBannerUrl="https://pbs.twimg.com/profile_banners/1/1",
    )
    tweet = tw.Tweet(
        url="u",
        date=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
        rawContent="t",
        renderedContent="t",
        id=1,
        user=user,
        replyCount=0,
        retweetCount=0,
        likeCount=0,
        quoteCount=0,
        conversationId=1,
        lang="in",
        source='<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>',
        sourceUrl="http://twitter.com/download/android",
        sourceLabel="Twitter for Android",
        viewCount=0,
        pinned=False,
    )
    return orjson.loads(tweet.json())


def generate(path: Path, n: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    base = template()
    users = []
    for i in range(20_000):
        u = dict(base["user"])
        name = f"{rng.choice(['budi', 'sri', 'agus', 'dewi', 'rina', 'eko', 'wahyu', 'siti'])}_{i}"
        u.update(
            username=name,
            id=10_000 + i,
            displayname=name.replace("_", " ").title(),
            rawDescription=" ".join(rng.choices(WORDS, k=rng.randint(3, 14))),
            renderedDescription=None,
            followersCount=rng.randint(0, 50_000),
            url=f"https://twitter.com/{name}",
            location=rng.choice(["Tanjung Sari", "Nusa Jaya", "", "Indonesia"]),
        )
        users.append(u)
    start = int(dt.datetime(2026, 9, 25, tzinfo=dt.UTC).timestamp())
    size = 0
    with path.open("wb", buffering=1 << 22) as f:
        for i in range(n):
            tid = 1_850_000_000_000_000_000 + i
            user = users[rng.randrange(len(users))]
            words = rng.choices(WORDS, k=rng.randint(6, 40))
            tags = rng.sample(TAGS, k=rng.choice((0, 0, 1, 1, 2, 3)))
            mentioned = [users[rng.randrange(len(users))] for _ in range(rng.choice((0, 0, 0, 1, 2)))]
            text = " ".join(words) + " " + rng.choice(EMOJI)
            text += "".join(f" #{t}" for t in tags) + "".join(f" @{m['username']}" for m in mentioned)
            date = dt.datetime.fromtimestamp(start + i * 5, dt.UTC).isoformat()
            rec = dict(base)
            rec.update(
                url=f"https://twitter.com/{user['username']}/status/{tid}",
                date=date,
                rawContent=text,
                renderedContent=text,
                content=text,
                id=tid,
                conversationId=tid,
                user=user,
                replyCount=rng.randint(0, 20),
                retweetCount=rng.randint(0, 200),
                likeCount=rng.randint(0, 2000),
                quoteCount=rng.randint(0, 5),
                viewCount=rng.randint(50, 90_000),
                hashtags=tags or None,
                mentionedUsers=mentioned or None,
                username=user["username"],
            )
            if rng.random() < 0.3:
                link = f"https://news.example/{rng.randrange(10**6)}"
                tco = f"https://t.co/{rng.randrange(10**9):x}"
                rec["links"] = [
                    {
                        "_type": "snscrape.modules.twitter.TextLink",
                        "text": link[8:],
                        "url": link,
                        "tcourl": tco,
                        "indices": [0, 23],
                    }
                ]
                rec.update(outlinks=[link], outlinksss=link, tcooutlinks=[tco], tcooutlinksss=tco)
            line = orjson.dumps(rec) + b"\n"
            size += len(line)
            f.write(line)
    return size


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Sampler(threading.Thread):
    """RSS and bytes consumed, every half second, while the import runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, int, float]] = []
        self.done_bytes = 0
        self.stop = threading.Event()
        self.t0 = time.perf_counter()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.samples.append((time.perf_counter() - self.t0, self.done_bytes, rss_mb()))

    def progress(self, n: int) -> None:
        self.done_bytes += n


def run_import(path: Path, engine, settings: Settings, size: int, profile: bool):
    sampler = Sampler()
    sampler.start()
    t0, cpu0 = time.perf_counter(), os.times()
    if profile:
        prof = cProfile.Profile()
        prof.enable()
    summary = import_file(path, engine=engine, settings=settings, progress=sampler.progress, source="bench")
    seconds = time.perf_counter() - t0
    cpu1 = os.times()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    if profile:
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    sampler.stop.set()
    sampler.join()
    sampler.samples.append((seconds, size, rss_mb()))
    return summary, seconds, cpu, sampler.samples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="posts to generate and import")
    ap.add_argument("--batch-size", type=int, default=5000)
    ap.add_argument("--reimport", action="store_true", help="import the same file again (all updates)")
    ap.add_argument("--profile", action="store_true", help="cProfile the import, top 25 by cumulative time")
    ap.add_argument(
        "--dir", type=Path, default=None, help="where to put the file and store (default: a temp dir)"
    )
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir, prefix="netra-bench-") as tmp:
        tmp_path = Path(tmp)
        src = tmp_path / "tweets.jsonl"
        t0 = time.perf_counter()
        size = generate(src, args.n)
        gen_s = time.perf_counter() - t0
        print(
            f"generated {args.n:,} posts, {size / 1e6:,.0f} MB ({size / args.n:,.0f} B/line) in {gen_s:.1f} s"
        )

        url = f"sqlite:///{tmp_path / 'netra.db'}"
        settings = Settings(
            store=StoreSettings(url=url),
            collect=CollectSettings(batch_size=args.batch_size, rejects_dir=str(tmp_path / "rejects")),
            logging=LoggingSettings(file=None),
        )
        engine = open_store(url)
        rss_before = rss_mb()
        rows = []
        passes = ["import", "re-import"] if args.reimport else ["import"]
        for name in passes:
            summary, seconds, cpu, samples = run_import(src, engine, settings, size, args.profile)
            c = summary.counts
            assert c.read == args.n and c.rejected == 0, c
            assert (c.stored, c.updated) == ((args.n, 0) if name == "import" else (0, args.n)), c
            peak = max(s[2] for s in samples)
            rows.append((name, c.read, c.stored, c.updated, seconds, c.read / seconds, cpu, peak, samples))
        db_mb = sum(p.stat().st_size for p in tmp_path.glob("netra.db*")) / 1e6
        engine.dispose()

    print()
    print(
        f"{'pass':<10} {'posts':>10} {'stored':>10} {'updated':>10} {'seconds':>8} {'posts/s':>9} "
        f"{'CPU s':>7} {'peak RSS':>9}"
    )
    for name, read, stored, updated, seconds, rate, cpu, peak, _ in rows:
        print(
            f"{name:<10} {read:>10,} {stored:>10,} {updated:>10,} {seconds:>8.1f} {rate:>9,.0f} {cpu:>7.1f} "
            f"{peak:>6.0f} MB"
        )
    load = os.getloadavg()
    print(f"(CPU s: user + system time of this process, both threads; load average at the end {load[0]:.1f})")
    print(
        f"\nRSS before import {rss_before:.0f} MB; store on disk {db_mb:,.0f} MB; "
        f"batch size {args.batch_size}"
    )
    for name, *_, samples in rows:
        print(f"RSS during {name} (at each tenth of the file):")
        marks, shown = [size * k / 10 for k in range(1, 11)], []
        for mark in marks:
            hit = next((s for s in samples if s[1] >= mark), samples[-1])
            shown.append(f"{hit[2]:.0f}")
        print("  " + " ".join(f"{k * 10:>3}%:{v:>4} MB" for k, v in zip(range(1, 11), shown, strict=True)))
    print(f"\ncpu: {os.cpu_count()} cores, python {sys.version.split()[0]}, sqlite WAL synchronous=NORMAL")


if __name__ == "__main__":
    main()
