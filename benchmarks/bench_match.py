"""Account matching at scale: 1,000,000 registry records against 100,000 accounts.

    python benchmarks/bench_match.py                      # the full size (about 10 minutes on 2 cores)
    python benchmarks/bench_match.py --records 100000 --accounts 10000

Phases, each timed: generate (fictional registry and accounts, seeded, streamed to Parquet),
fit (registry features, gazetteer, name frequencies, u by random sampling, m by EM),
predict (account features, Splink blocking and scoring on DuckDB, per-account probabilities).
Prints a table with seconds per phase, pairs scored, peak RSS, and precision/recall on the
generated truth (the accounts are generated from records, from registry namesakes and from
unrelated people, like data/registry/eval but with national-size name and region pools).
Targets (issue 3): total <= 10 minutes and peak RSS <= 8 GB on this 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = ["nip", "nama", "gelar_depan", "gelar_belakang", "jabatan", "instansi", "unit_kerja",
           "kabupaten_kota", "provinsi", "akun"]  # fmt: skip


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(folder: Path, n_records: int, n_accounts: int, seed: int) -> dict[str, str]:
    """Registry and accounts as Parquet files, written in chunks; returns account id -> true NIP."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.registry.features import account_id
    from pipeline.registry.synthetic import (
        asn_account,
        generate_records,
        national_pools,
        national_regions,
        other_account,
        person_name,
        public_record,
    )

    rng = random.Random(seed)
    regs = national_regions(seed)
    pools = national_pools(seed)
    n_asn, n_namesake = int(n_accounts * 0.4), int(n_accounts * 0.3)
    asn_rate = n_asn / n_records
    truth: dict[str, str] = {}
    seen: set[str] = set()
    accounts: list[dict] = []
    namesake_names: list[tuple[list[str], str]] = []

    def add(acc: dict, nip: str) -> None:
        acc.pop("_profile", None)
        while account_id(acc["platform"], acc["handle"]) in seen:
            acc["handle"] += str(rng.randint(0, 9))
        aid = account_id(acc["platform"], acc["handle"])
        seen.add(aid)
        truth[aid] = nip
        accounts.append(acc)

    writer = None
    chunk: list[dict] = []
    for rec in generate_records(n_records, seed=seed, region_list=regs, pools=pools):
        if rng.random() < asn_rate and len(truth) < n_asn:
            add(
                asn_account(rng, rec, regs, rng.choice(["x", "x", "instagram", "tiktok", "facebook"])),
                rec["nip"],
            )
        elif len(namesake_names) < n_namesake and rng.random() < 2 * n_namesake / n_records:
            namesake_names.append((rec["_words"], rec["_gender"]))
        chunk.append(public_record(rec))
        if len(chunk) >= 100_000:
            table = pa.Table.from_pylist(chunk)
            writer = writer or pq.ParquetWriter(folder / "registry.parquet", table.schema)
            writer.write_table(table)
            chunk = []
    if chunk:
        table = pa.Table.from_pylist(chunk)
        writer = writer or pq.ParquetWriter(folder / "registry.parquet", table.schema)
        writer.write_table(table)
    if writer:
        writer.close()
    for words, gender in namesake_names:
        add(other_account(rng, words, gender, regs), "")
    while len(accounts) < n_accounts:
        gender = rng.choice("LP")
        add(other_account(rng, person_name(rng, gender, 0.0, pools), gender, regs), "")
    pq.write_table(pa.Table.from_pylist(accounts), folder / "accounts.parquet")
    return truth


def registry_chunks(path: Path, size: int = 100_000):
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(path).iter_batches(batch_size=size):
        yield batch.to_pandas()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory-limit", default="5GB", help="DuckDB's memory limit (spills beyond it)")
    parser.add_argument("--workdir", default=None, help="Keep the generated Parquet files here")
    args = parser.parse_args()

    import pyarrow.parquet as pq

    from pipeline.registry.features import account_id
    from pipeline.registry.matcher import AccountMatcher

    folder = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench_match_"))
    folder.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    truth = generate(folder, args.records, args.accounts, args.seed)
    times["generate"] = time.perf_counter() - t0
    accounts = pq.read_table(folder / "accounts.parquet").to_pylist()

    t = time.perf_counter()
    matcher = AccountMatcher(threads=args.threads, memory_limit=args.memory_limit)
    matcher.fit(registry_chunks(folder / "registry.parquet"), accounts)
    times["fit"] = time.perf_counter() - t
    t = time.perf_counter()
    results = matcher.predict(accounts)
    times["predict"] = time.perf_counter() - t
    total = times["fit"] + times["predict"]

    links = [(account_id(r["platform"], r["handle"]), r["nip"]) for r in results if r["nip"]]
    correct = sum(1 for aid, nip in links if truth.get(aid) == nip)
    positives = sum(1 for nip in truth.values() if nip)
    rows = [
        ("registry records", f"{matcher.n_records_:,}"),
        ("accounts", f"{len(accounts):,}"),
        ("pairs scored", f"{matcher.n_pairs_:,}"),
        ("generate (s)", f"{times['generate']:.1f}"),
        ("fit (s)", f"{times['fit']:.1f}"),
        *(
            (f"  {k} (s)", f"{v:.1f}")
            for k, v in matcher.timings_.items()
            if not k.startswith(("predict", "score", "results"))
        ),
        ("predict (s)", f"{times['predict']:.1f}"),
        *(
            (f"  {k} (s)", f"{v:.1f}")
            for k, v in matcher.timings_.items()
            if k.startswith(("predict", "score", "results"))
        ),
        ("fit + predict (s)", f"{total:.1f}"),
        ("peak RSS (MB)", f"{peak_rss_mb():,.0f}"),
        ("threads", str(args.threads)),
        ("prior / q0", f"{matcher.priors_.pi:.3f} / {matcher.priors_.q0:.3f}"),
        (f"precision @ {matcher.threshold:.2f}", f"{correct / len(links):.3f}" if links else "n/a"),
        (f"recall @ {matcher.threshold:.2f}", f"{correct / positives:.3f}" if positives else "n/a"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"\nbench_match ({os.uname().nodename}, load average before: {BEFORE_LOAD})")
    for k, v in rows:
        print(f"  {k:<{width}}  {v:>14}")
    verdict = "OK" if total <= 600 and peak_rss_mb() <= 8192 else "over target"
    print(f"  target: fit + predict <= 600 s and peak RSS <= 8192 MB: {verdict}")


BEFORE_LOAD = ", ".join(f"{x:.2f}" for x in os.getloadavg())

if __name__ == "__main__":
    main()
