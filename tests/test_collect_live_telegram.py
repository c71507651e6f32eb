"""Telegram live collector, offline: snscrape's real scraper and parser run on recorded t.me pages.

The HTTP layer is replaced below snscrape's ``_request``: a requests transport adapter answers from
tests/fixtures/http/telegram/ (with redirects and status codes), so snscrape's paging, our retry
policy, the <br> fix and the shared parser all run as they would against t.me.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter
from sqlalchemy import select

from pipeline.collect.backoff import RetryPolicy
from pipeline.collect.cursors import get_cursor, set_cursor
from pipeline.collect.formats import parse_snscrape
from pipeline.collect.live import Binding, collect_all
from pipeline.collect.sources import SourcesConfig, TelegramSource
from pipeline.collect.telegram import ChannelUnavailable, TelegramFetcher, message_id, parse_views
from pipeline.config import CollectSettings, Settings, StoreSettings
from pipeline.store import open_store
from pipeline.store.tables import CollectionRun, Post

FIXTURES = Path(__file__).parent / "fixtures" / "http" / "telegram"
HTML = {"Content-Type": "text/html; charset=utf-8"}


class RecordedAdapter(BaseAdapter):
    """A requests transport that answers from recorded pages: url -> list of (status, file|text, headers).

    A URL with several responses serves them in order (429 then 200); an unknown URL is a test failure
    rather than a network call.
    """

    def __init__(self, routes: dict[str, list[tuple[int, str, dict[str, str]]]]) -> None:
        super().__init__()
        self.routes = {url: list(responses) for url, responses in routes.items()}
        self.calls: list[str] = []

    def send(self, request, **kwargs):
        self.calls.append(request.url)
        queue = self.routes.get(request.url)
        if not queue:
            raise AssertionError(f"unexpected request {request.url}")
        status, body, headers = queue.pop(0) if len(queue) > 1 else queue[0]
        path = FIXTURES / body
        data = path.read_bytes() if body.endswith(".html") else body.encode()
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(data), headers=headers, status=status, preload_content=False,
            reason={200: "OK", 302: "Found", 429: "Too Many Requests"}.get(status, ""),
        )  # fmt: skip
        return HTTPAdapter().build_response(request, raw)

    def close(self) -> None:
        pass


def channel_routes() -> dict[str, list[tuple[int, str, dict[str, str]]]]:
    base = "https://t.me/s/relawan_contoh"
    return {
        base: [(200, "relawan_contoh.html", HTML)],
        f"{base}?before=108": [(200, "relawan_contoh_before_108.html", HTML)],
        f"{base}?before=105": [(200, "relawan_contoh_before_105.html", HTML)],
        "https://t.me/s/kabar_rusak": [(200, "kabar_rusak.html", HTML)],
        # A channel without a public preview: t.me/s/<name> redirects to t.me/<name>.
        "https://t.me/s/kanal_privat": [(302, "", {"Location": "https://t.me/kanal_privat"})],
        "https://t.me/kanal_privat": [(200, "kanal_privat_redirect_target.html", HTML)],
        "https://t.me/s/bukan_kanal": [(200, "not_a_channel.html", HTML)],
    }


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def policy(sleeps: list[float]) -> RetryPolicy:
    return RetryPolicy(max_retries=3, backoff_seconds=1.0, sleep=sleeps.append)


def fetch_all(fetcher: TelegramFetcher, channel: str, cursor: str | None = None, max_items: int = 100):
    pages = list(fetcher.fetch(channel, cursor, max_items))
    return [r for p in pages for r in p.records], pages


# ------------------------------------------------------------------------------------------- units


def test_views_and_message_ids_parse_like_telegram_writes_them():
    assert parse_views("1.2K") == 1200
    assert parse_views("845") == 845
    assert parse_views("3M") == 3_000_000
    assert parse_views("views") is None
    assert message_id("https://t.me/s/relawan_contoh/110") == 110
    with pytest.raises(ValueError):
        message_id("https://t.me/s/relawan_contoh")


def test_br_becomes_a_newline_instead_of_glueing_words(policy):
    adapter = RecordedAdapter(channel_routes())
    records, _ = fetch_all(TelegramFetcher(policy=policy, transport=adapter), "relawan_contoh")
    newest = records[0]
    assert newest["url"] == "https://t.me/s/relawan_contoh/110"
    assert newest["content"].startswith("Dukung terus @calonA\nInfo lengkap")
    assert "@calonAInfo" not in newest["content"]
    post = parse_snscrape(newest)
    assert post.mentions == ["calonA"]
    assert post.hashtags == ["BAYUMenang", "01Menang"]
    assert post.links == ["https://contoh.example/agenda"]
    assert post.metrics.views == 1200
    assert post.author.handle == "relawan_contoh"
    assert post.author.display_name == "Relawan Contoh Tanjung Sari"


def test_pages_are_followed_back_to_the_first_message(policy):
    adapter = RecordedAdapter(channel_routes())
    records, pages = fetch_all(TelegramFetcher(policy=policy, transport=adapter), "relawan_contoh")
    assert adapter.calls == [
        "https://t.me/s/relawan_contoh",
        "https://t.me/s/relawan_contoh?before=108",
        "https://t.me/s/relawan_contoh?before=105",
    ]
    ids = [message_id(r["url"]) for r in records]
    assert ids == [
        110,
        108,
        107,
        106,
        105,
        104,
        103,
        102,
    ]  # 109 is a photo without caption, 101 a service note
    assert sum(p.skipped for p in pages) == 1
    assert pages[-1].advance_to == "110"
    assert all(p.advance_to is None for p in pages[:-1])


def test_stops_at_the_cursor_without_fetching_older_pages(policy):
    adapter = RecordedAdapter(channel_routes())
    records, pages = fetch_all(
        TelegramFetcher(policy=policy, transport=adapter), "relawan_contoh", cursor="106"
    )
    assert [message_id(r["url"]) for r in records] == [110, 108, 107]
    assert "https://t.me/s/relawan_contoh?before=105" not in adapter.calls
    assert pages[-1].advance_to == "110"


def test_nothing_new_keeps_the_cursor(policy):
    adapter = RecordedAdapter(channel_routes())
    records, pages = fetch_all(
        TelegramFetcher(policy=policy, transport=adapter), "relawan_contoh", cursor="110"
    )
    assert records == []
    assert pages[-1].advance_to is None
    assert adapter.calls == ["https://t.me/s/relawan_contoh"]


def test_max_items_bounds_a_first_run(policy):
    adapter = RecordedAdapter(channel_routes())
    records, pages = fetch_all(
        TelegramFetcher(policy=policy, transport=adapter), "relawan_contoh", max_items=2
    )
    assert [message_id(r["url"]) for r in records] == [110, 108]
    assert pages[-1].advance_to == "110"
    assert len(adapter.calls) == 1


def test_private_or_missing_channel_is_a_clear_error(policy):
    adapter = RecordedAdapter(channel_routes())
    with pytest.raises(ChannelUnavailable, match="no public web preview"):
        fetch_all(TelegramFetcher(policy=policy, transport=adapter), "kanal_privat")
    assert adapter.calls == ["https://t.me/s/kanal_privat", "https://t.me/kanal_privat"]


def test_a_page_that_is_not_a_channel_is_an_error_not_an_empty_channel(policy):
    adapter = RecordedAdapter(channel_routes())
    with pytest.raises(Exception, match="unexpected page"):
        fetch_all(TelegramFetcher(policy=policy, transport=adapter), "bukan_kanal")


def test_a_malformed_message_is_set_aside_and_the_rest_of_the_page_kept(policy):
    adapter = RecordedAdapter(channel_routes())
    records, pages = fetch_all(TelegramFetcher(policy=policy, transport=adapter), "kabar_rusak")
    assert [message_id(r["url"]) for r in records] == [203, 201]
    rejects = [r for p in pages for r in p.rejects]
    assert len(rejects) == 1
    assert rejects[0].record["data-post"] == "kabar_rusak/202"
    assert "malformed message" in rejects[0].reason
    assert records[1]["content"] == "Pesan pertama\nbaris kedua"


def test_429_waits_for_retry_after_then_succeeds(policy, sleeps):
    routes = channel_routes()
    routes["https://t.me/s/relawan_contoh"] = [
        (429, "slow down", {"Retry-After": "5", "Content-Type": "text/plain"}),
        (200, "relawan_contoh.html", HTML),
    ]
    adapter = RecordedAdapter(routes)
    records, _ = fetch_all(TelegramFetcher(policy=policy, transport=adapter), "relawan_contoh", cursor="107")
    assert sleeps == [5.0]
    assert [message_id(r["url"]) for r in records] == [110, 108]


def test_server_errors_back_off_exponentially_then_give_up(policy, sleeps):
    routes = {"https://t.me/s/relawan_contoh": [(502, "bad gateway", {"Content-Type": "text/plain"})]}
    adapter = RecordedAdapter(routes)
    with pytest.raises(Exception, match="502"):
        fetch_all(TelegramFetcher(policy=policy, transport=adapter), "relawan_contoh")
    assert sleeps == [1.0, 2.0, 4.0]
    assert len(adapter.calls) == 4


def test_network_errors_are_retried_and_reported_with_their_cause(policy, sleeps):
    class Down(BaseAdapter):
        def send(self, request, **kwargs):
            raise requests.exceptions.ConnectionError("Name or service not known")

        def close(self) -> None:
            pass

    with pytest.raises(Exception, match=r"network error after 4 attempts.*Name or service not known"):
        fetch_all(TelegramFetcher(policy=policy, transport=Down()), "relawan_contoh")
    assert sleeps == [1.0, 2.0, 4.0]


# ---------------------------------------------------------------------------------- orchestration


def make_settings(tmp_path: Path) -> Settings:
    return Settings(
        config_dir=tmp_path,
        store=StoreSettings(url=f"sqlite:///{tmp_path / 'netra.db'}"),
        collect=CollectSettings(rejects_dir=str(tmp_path / "rejects"), batch_size=3, backoff_seconds=0),
    )


def telegram_binder(adapter: RecordedAdapter):
    def binder(entry, settings, policy):
        return Binding(entry.channels, TelegramFetcher(policy=policy, transport=adapter), parse_snscrape)

    return binder


def test_collect_all_stores_posts_moves_cursors_and_reports_each_channel(tmp_path, engine):
    settings = make_settings(tmp_path)
    sources = SourcesConfig(
        telegram=[
            TelegramSource(
                name="tg", enabled=True, channels=["relawan_contoh", "kanal_privat", "kabar_rusak"]
            )
        ]
    )
    adapter = RecordedAdapter(channel_routes())
    policy = RetryPolicy(max_retries=1, backoff_seconds=0, sleep=lambda s: None)
    [result] = collect_all(settings, engine, sources=sources, policy=policy, binder=telegram_binder(adapter))

    assert result.status == "partial"  # one channel failed, two were collected
    assert result.stored == 10  # 8 from relawan_contoh, 2 from kabar_rusak
    assert result.rejected == 1
    assert len(result.errors) == 1 and result.errors[0].startswith("kanal_privat: ")
    assert get_cursor(engine, "tg", "relawan_contoh") == "110"
    assert get_cursor(engine, "tg", "kabar_rusak") == "203"
    assert get_cursor(engine, "tg", "kanal_privat") is None
    with engine.connect() as conn:
        texts = dict(conn.execute(select(Post.post_id, Post.text)).all())
        run = conn.execute(select(CollectionRun)).one()
    assert texts["relawan_contoh/110"].startswith("Dukung terus @calonA\nInfo")
    assert run.status == "partial" and run.n_stored == 10 and run.n_rejected == 1
    assert "kanal_privat" in run.error
    assert result.rejects_path and "kabar_rusak/202" in Path(result.rejects_path).read_text()

    # The next night: nothing new on relawan_contoh, so only its first page is read.
    adapter.calls.clear()
    [again] = collect_all(settings, engine, sources=sources, policy=policy, binder=telegram_binder(adapter))
    assert again.stored == 0
    assert "https://t.me/s/relawan_contoh?before=108" not in adapter.calls


def test_a_crash_before_the_cursor_is_written_refetches_instead_of_losing(tmp_path):
    """The cursor is written after the posts are committed; if that write never happens, the next run
    reads the same messages again and the upsert makes that harmless."""
    settings = make_settings(tmp_path)
    engine = open_store(settings.database_url)
    sources = SourcesConfig(telegram=[TelegramSource(name="tg", enabled=True, channels=["relawan_contoh"])])
    adapter = RecordedAdapter(channel_routes())
    policy = RetryPolicy(max_retries=0, backoff_seconds=0, sleep=lambda s: None)

    import pipeline.collect.live as live

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    original = live.set_cursor
    live.set_cursor = crash
    try:
        [first] = collect_all(
            settings, engine, sources=sources, policy=policy, binder=telegram_binder(adapter)
        )
    finally:
        live.set_cursor = original
    assert first.status == "failed" and "power cut" in first.error
    assert first.stored == 8  # the posts were committed before the cursor write failed
    assert get_cursor(engine, "tg", "relawan_contoh") is None

    [second] = collect_all(settings, engine, sources=sources, policy=policy, binder=telegram_binder(adapter))
    assert second.status == "ok"
    assert (second.stored, second.updated) == (0, 8)
    assert get_cursor(engine, "tg", "relawan_contoh") == "110"
    engine.dispose()


def test_cursor_upsert_replaces_the_previous_value(engine):
    set_cursor(engine, "tg", "relawan_contoh", "105")
    set_cursor(engine, "tg", "relawan_contoh", "110")
    set_cursor(engine, "tg", "kabar_rusak", "203")
    assert get_cursor(engine, "tg", "relawan_contoh") == "110"
    assert get_cursor(engine, "tg", "kabar_rusak") == "203"
    assert get_cursor(engine, "other", "relawan_contoh") is None
