"""X via twscrape, offline: a fake API yields real twscrape Tweet objects; no account, no network."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline.collect.cursors import get_cursor, set_cursor
from pipeline.collect.formats import parse_twscrape
from pipeline.collect.live import Binding, collect_all
from pipeline.collect.sources import SourcesConfig, XSource
from pipeline.collect.x import SourceSkipped, XFetcher, load_twscrape, tweet_record
from pipeline.config import CollectSettings, Settings, StoreSettings
from pipeline.store.tables import Post

twscrape = pytest.importorskip("twscrape")
from twscrape.models import Media, User, UserRef  # noqa: E402
from twscrape.models import Tweet as TwTweet  # noqa: E402

GURU = User(
    id=1700000000000000001, id_str="1700000000000000001", url="https://x.com/guru_sukamaju",
    username="guru_sukamaju", displayname="Bu Guru Sukamaju", rawDescription="Guru SD | ASN | akun pribadi",
    created=datetime(2020, 1, 1, tzinfo=UTC), followersCount=87, friendsCount=50, statusesCount=900,
    favouritesCount=10, listedCount=0, mediaCount=3, location="Tanjung Sari",
    profileImageUrl="https://pbs.twimg.com/profile_images/fiktif.jpg",
)  # fmt: skip


def tweet(tid: int, text: str, when: str) -> TwTweet:
    return TwTweet(
        id=tid, id_str=str(tid), url=f"https://x.com/guru_sukamaju/status/{tid}",
        date=datetime.fromisoformat(when), user=GURU, lang="in", rawContent=text,
        replyCount=0, retweetCount=2, likeCount=5, quoteCount=0, bookmarkedCount=0,
        conversationId=tid, conversationIdStr=str(tid), hashtags=["BAYUMenang"], cashtags=[],
        mentionedUsers=[UserRef(id=1, id_str="1", username="calonA", displayname="Calon A")],
        links=[], media=Media(), viewCount=120,
    )  # fmt: skip


TWEETS = [
    tweet(1850000000000000003, "Coblos 01 ya @calonA\n#BAYUMenang", "2026-10-12T06:00:00+00:00"),
    tweet(1850000000000000002, "Rapat dinas dulu, nanti ke posko #BAYUMenang", "2026-10-11T06:00:00+00:00"),
    tweet(1850000000000000001, "Selamat pagi #BAYUMenang", "2026-10-10T06:00:00+00:00"),
]


class FakeAPI:
    """Stands in for twscrape.API: records the queries and yields the tweets newest first."""

    def __init__(self, tweets: list[TwTweet]) -> None:
        self.tweets = tweets
        self.queries: list[tuple[str, int]] = []

    async def search(self, q: str, limit: int = -1, kv=None):
        self.queries.append((q, limit))
        for t in self.tweets[: limit if limit > 0 else None]:
            yield t


def test_tweets_map_through_their_json_form_to_posts():
    rec = tweet_record(TWEETS[0])
    assert rec["date"] == "2026-10-12 06:00:00+00:00"  # twscrape's str(datetime), as its CLI writes
    post = parse_twscrape(rec)
    assert post.platform == "x" and post.post_id == "1850000000000000003"
    assert post.text == "Coblos 01 ya @calonA\n#BAYUMenang"
    assert post.author.handle == "guru_sukamaju" and post.author.bio.startswith("Guru SD")
    assert post.mentions == ["calonA"] and post.metrics.views == 120


def test_fetch_walks_newest_first_and_the_cursor_narrows_the_next_query():
    api = FakeAPI(TWEETS)
    pages = list(XFetcher(accounts_db=Path("unused"), api=api).fetch("#BAYUMenang lang:id", None, 50))
    assert [r["id_str"] for p in pages for r in p.records] == [t.id_str for t in TWEETS]
    assert pages[-1].advance_to == "1850000000000000003"
    assert api.queries == [("#BAYUMenang lang:id", 50)]

    api = FakeAPI(TWEETS)
    pages = list(
        XFetcher(accounts_db=Path("unused"), api=api).fetch("#BAYUMenang", "1850000000000000002", 50)
    )
    assert api.queries[0][0] == "#BAYUMenang since_id:1850000000000000002"
    assert [r["id_str"] for p in pages for r in p.records] == ["1850000000000000003"]


def test_collect_all_stores_tweets_and_moves_the_cursor(tmp_path, engine):
    settings = Settings(
        config_dir=tmp_path,
        store=StoreSettings(url=f"sqlite:///{tmp_path / 'n.db'}"),
        collect=CollectSettings(rejects_dir=str(tmp_path / "rejects")),
    )
    api = FakeAPI(TWEETS)

    def binder(entry, settings, policy):
        return Binding(entry.queries, XFetcher(accounts_db=Path("unused"), api=api), parse_twscrape)

    set_cursor(engine, "x-test", "#BAYUMenang", "1850000000000000001")
    sources = SourcesConfig(x=[XSource(name="x-test", enabled=True, queries=["#BAYUMenang"])])
    [r] = collect_all(settings, engine, sources=sources, binder=binder)
    assert (r.status, r.stored) == ("ok", 2)
    assert get_cursor(engine, "x-test", "#BAYUMenang") == "1850000000000000003"
    with engine.connect() as conn:
        assert conn.execute(select(Post.author_handle).distinct()).scalars().all() == ["guru_sukamaju"]


def test_without_the_extra_the_source_is_skipped_with_how_to_install(tmp_path, engine, monkeypatch):
    monkeypatch.setitem(sys.modules, "twscrape", None)  # makes `import twscrape` raise ImportError
    with pytest.raises(SourceSkipped, match=r"pip install 'netra\[x\]'"):
        load_twscrape()
    settings = Settings(config_dir=tmp_path, collect=CollectSettings(rejects_dir=str(tmp_path / "r")))
    sources = SourcesConfig(x=[XSource(name="x-test", enabled=True, queries=["#BAYUMenang"])])
    [r] = collect_all(settings, engine, sources=sources)
    assert r.status == "skipped" and "netra[x]" in r.error
    assert not r.failed  # a skipped optional source does not make the run partial


def test_without_accounts_the_source_is_skipped(tmp_path, engine, monkeypatch):
    settings = Settings(config_dir=tmp_path, collect=CollectSettings(rejects_dir=str(tmp_path / "r")))
    missing = XSource(name="x-none", enabled=True, queries=["q"], accounts_db=str(tmp_path / "nope.db"))
    [r] = collect_all(settings, engine, sources=SourcesConfig(x=[missing]))
    assert r.status == "skipped" and "no twscrape accounts database" in r.error
    assert not (tmp_path / "nope.db").exists()  # checking must not create it

    # An accounts database twscrape created, with no account in it.
    import asyncio

    empty_db = tmp_path / "accounts.db"
    asyncio.run(twscrape.AccountsPool(str(empty_db)).get_all())
    empty = XSource(name="x-empty", enabled=True, queries=["q"], accounts_db=str(empty_db))
    [r] = collect_all(settings, engine, sources=SourcesConfig(x=[empty]))
    assert r.status == "skipped" and "no active account" in r.error


def test_telemetry_is_switched_off_before_twscrape_runs(monkeypatch):
    monkeypatch.setenv("TWS_TELEMETRY", "1")  # even an opt-in left in the environment is overridden
    monkeypatch.delenv("DO_NOT_TRACK", raising=False)
    module = load_twscrape()
    import os

    assert os.environ["TWS_TELEMETRY"] == "0"
    assert module.telemetry._is_disabled()
    module.telemetry.capture("test_event")
    assert module.telemetry.snapshot() == []  # nothing queued for PostHog


def test_twscrape_calls_work_when_the_caller_already_runs_an_event_loop():
    """A notebook, an async server or a Playwright session runs a loop in the calling thread."""
    import asyncio

    from pipeline.collect.x import _iterate, _run

    async def numbers():
        for i in range(3):
            yield i

    async def caller():
        return list(_iterate(numbers())), _run(asyncio.sleep(0, result="done"))

    assert asyncio.run(caller()) == ([0, 1, 2], "done")
