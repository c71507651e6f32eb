"""Mastodon live collector, offline: httpx is answered by respx from recorded API responses.

Each cassette in tests/fixtures/http/mastodon/ lists request URLs and the response (status, headers
including Link and X-RateLimit-*, body) the server gave; repeated URLs answer in order. The real
fetcher (paging, cursors, retries) and the shared parse_status run unchanged. Also the CLI,
`netra collect run`, end to end on the same cassettes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx
from sqlalchemy import select
from typer.testing import CliRunner

from pipeline.collect.backoff import RateLimited, RetryPolicy, SourceError
from pipeline.collect.cursors import get_cursor, set_cursor
from pipeline.collect.live import collect_all
from pipeline.collect.mastodon import MastodonFetcher, NotFound, id_key
from pipeline.collect.sources import MastodonSource, SourcesConfig
from pipeline.config import CollectSettings, Settings, StoreSettings
from pipeline.store.tables import CollectionRun, Post

FIXTURES = Path(__file__).parent / "fixtures" / "http" / "mastodon"
H = "https://mastodon.example"
NOW = datetime(2026, 10, 12, 9, 0, 0, tzinfo=UTC)
IDS = {n: f"1133000000000001{n - 100:02d}" for n in range(101, 109)}


class Cassette:
    """Replays one recorded conversation; unknown or exhausted URLs fail the test loudly."""

    def __init__(self, *names: str) -> None:
        self.queue: dict[str, list[dict]] = {}
        for name in names:
            for ix in json.loads((FIXTURES / name).read_text())["interactions"]:
                self.queue.setdefault(self._key(ix["request"]["url"]), []).append(ix["response"])
        self.calls: list[str] = []

    @staticmethod
    def _key(url: str) -> str:
        u = httpx.URL(url)
        return (
            str(u.copy_with(query=None))
            + "?"
            + "&".join(sorted(f"{k}={v}" for k, v in u.params.multi_items()))
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(str(request.url))
        responses = self.queue.get(self._key(str(request.url)))
        if not responses:
            raise AssertionError(f"unexpected request {request.url}")
        r = responses.pop(0) if len(responses) > 1 else responses[0]
        content = r["body_text"].encode() if "body_text" in r else json.dumps(r["body"]).encode()
        return httpx.Response(r["status"], headers=r["headers"], content=content)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def policy(sleeps) -> RetryPolicy:
    return RetryPolicy(max_retries=2, backoff_seconds=1.0, sleep=sleeps.append, now=lambda: NOW)


def serve(*names: str) -> Cassette:
    cassette = Cassette(*names)
    respx.route(host="mastodon.example").mock(side_effect=cassette)
    return cassette


def fetcher(policy: RetryPolicy, **kw) -> MastodonFetcher:
    return MastodonFetcher(instance=H, policy=policy, page_size=3, **kw)


def records(pages) -> list[str]:
    return [s["id"] for p in pages for s in p.records]


# ------------------------------------------------------------------------------------------ fetcher


def test_ids_order_like_the_server():
    assert id_key("113300000000000102") > id_key("113300000000000101")
    assert id_key("99") < id_key("100")  # numeric, not lexicographic


@respx.mock
def test_first_run_follows_link_next_back_in_time(policy, sleeps):
    cassette = serve("tag_first_run.json")
    pages = list(fetcher(policy).fetch("tag:BAYUMenang", None, 100))
    assert records(pages) == [IDS[105], IDS[104], IDS[103], IDS[102], IDS[101]]
    assert len(cassette.calls) == 3 and f"max_id={IDS[103]}" in cassette.calls[1]
    assert [p.advance_to for p in pages] == [None, None, IDS[105]]  # the cursor moves once, at the end
    assert sleeps == []


@respx.mock
def test_later_runs_ask_only_for_what_is_newer_than_the_cursor(policy):
    cassette = serve("tag_since_cursor.json")
    pages = list(fetcher(policy).fetch("tag:BAYUMenang", IDS[105], 100))
    assert f"min_id={IDS[105]}" in cassette.calls[0]
    assert records(pages) == [IDS[107], IDS[106]]
    assert pages[0].advance_to == IDS[107]  # contiguous with the cursor: safe to move per page


@respx.mock
def test_a_limit_cuts_a_forward_page_at_its_oldest_end(policy):
    serve("tag_since_cursor.json")
    pages = list(fetcher(policy).fetch("tag:BAYUMenang", IDS[105], 1))
    assert records(pages) == [IDS[106]]
    assert pages[-1].advance_to == IDS[106]  # not 107: 107 was not stored, the next run gets it


@respx.mock
def test_429_waits_retry_after_and_a_spent_budget_waits_for_the_reset(policy, sleeps):
    serve("tag_429.json")
    pages = list(fetcher(policy).fetch("tag:BAYUMenang", None, 100))
    assert records(pages) == [IDS[107], IDS[106]]
    # 7 s from Retry-After; then X-RateLimit-Remaining: 0 with the reset 5 minutes after NOW.
    assert sleeps == [7.0, 300.0]


@respx.mock
def test_a_429_that_never_ends_is_a_rate_limit_error(sleeps):
    policy = RetryPolicy(max_retries=1, backoff_seconds=1.0, sleep=sleeps.append, now=lambda: NOW)
    reset = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-10-12T09:00:30.000Z"}
    respx.route(host="mastodon.example").mock(return_value=httpx.Response(429, headers=reset, json={}))
    with pytest.raises(RateLimited, match="429 after 2 attempts"):
        list(fetcher(policy).fetch("tag:BAYUMenang", None, 100))
    assert sleeps == [30.0]  # no Retry-After: the rate-limit reset says when


@respx.mock
def test_a_wait_longer_than_max_wait_fails_instead_of_stalling_the_night(sleeps):
    policy = RetryPolicy(max_retries=2, sleep=sleeps.append, now=lambda: NOW, max_wait=5)
    serve("tag_429.json")
    with pytest.raises(RateLimited, match="max_wait"):
        list(fetcher(policy).fetch("tag:BAYUMenang", None, 100))
    assert sleeps == []


@respx.mock
def test_server_errors_back_off_exponentially(policy, sleeps):
    cassette = serve("tag_502.json")
    with pytest.raises(SourceError, match="HTTP 502 after 3 attempts"):
        list(fetcher(policy).fetch("tag:BAYUMenang", None, 100))
    assert sleeps == [1.0, 2.0]
    assert len(cassette.calls) == 3


@respx.mock
def test_network_errors_and_timeouts_are_retried(policy, sleeps):
    responses = iter([httpx.ConnectTimeout("timed out"), httpx.Response(200, json=[])])

    def flaky(request):
        item = next(responses)
        if isinstance(item, Exception):
            raise item
        return item

    respx.route(host="mastodon.example").mock(side_effect=flaky)
    assert list(fetcher(policy).fetch("tag:BAYUMenang", None, 100))[-1].advance_to is None
    assert sleeps == [1.0]


@respx.mock
def test_malformed_json_page_is_an_error_after_the_good_pages(policy):
    serve("tag_malformed.json")
    got = []
    with pytest.raises(SourceError, match="malformed JSON"):
        for page in fetcher(policy).fetch("tag:BAYUMenang", None, 100):
            got.append(page)
    assert records(got) == [IDS[105], IDS[104], IDS[103]]


@respx.mock
def test_accounts_are_looked_up_and_a_missing_one_is_not_found(policy):
    cassette = serve("accounts.json")
    pages = list(fetcher(policy).fetch("account:guru_sukamaju@social.example", None, 100))
    assert records(pages) == [IDS[105], IDS[102]]
    assert "/api/v1/accounts/109100000000000002/statuses" in cassette.calls[1]
    with pytest.raises(NotFound, match="404"):
        list(fetcher(policy).fetch("account:akun_hilang", None, 100))


@respx.mock
def test_access_token_is_sent_as_bearer(policy, monkeypatch):
    seen = []

    def capture(request):
        seen.append(request.headers.get("Authorization"))
        return httpx.Response(200, json=[])

    respx.route(host="mastodon.example").mock(side_effect=capture)
    monkeypatch.setenv("NETRA_TEST_MASTODON_TOKEN", "s3cret")
    src = MastodonSource(name="m", instance=H, tags=["x"], access_token_env="NETRA_TEST_MASTODON_TOKEN")
    list(MastodonFetcher.from_source(src, policy).fetch("tag:x", None, 10))
    assert seen == ["Bearer s3cret"]
    monkeypatch.delenv("NETRA_TEST_MASTODON_TOKEN")
    with pytest.raises(SourceError, match="NETRA_TEST_MASTODON_TOKEN is not set"):
        MastodonFetcher.from_source(src, policy)


# ------------------------------------------------------------------------------------ orchestration


def make_settings(tmp_path: Path) -> Settings:
    return Settings(
        config_dir=tmp_path,
        store=StoreSettings(url=f"sqlite:///{tmp_path / 'netra.db'}"),
        collect=CollectSettings(rejects_dir=str(tmp_path / "rejects"), backoff_seconds=0, max_retries=1),
    )


def source(**kw) -> MastodonSource:
    base = {"name": "md", "enabled": True, "instance": H, "page_size": 3}
    return MastodonSource(**{**base, **kw})


@respx.mock
def test_collect_all_keeps_the_good_keys_when_one_fails(tmp_path, engine, policy):
    serve("tag_first_run.json", "accounts.json")
    sources = SourcesConfig(mastodon=[source(tags=["BAYUMenang"], accounts=["akun_hilang"])])
    [r] = collect_all(make_settings(tmp_path), engine, sources=sources, policy=policy)
    assert r.status == "partial"
    assert (r.fetched, r.stored, r.rejected) == (5, 5, 0)
    assert r.errors == [
        f"account:akun_hilang: {H}/api/v1/accounts/lookup?acct=akun_hilang: not found (HTTP 404)"
    ]
    assert get_cursor(engine, "md", "tag:BAYUMenang") == IDS[105]
    with engine.connect() as conn:
        rows = {p.post_id: p for p in conn.execute(select(Post)).all()}
    guru = rows[f"social.example/@guru_sukamaju/{IDS[102]}"]
    assert guru.text == "Murid-murid, jangan lupa ajak orang tua coblos nomor 01 ya\n#BAYUMenang #01Menang"
    assert guru.author_handle == "guru_sukamaju@social.example"
    assert "Instansi: Dinas Pendidikan Tanjung Sari" in guru.author_bio
    assert guru.source == "md"


@respx.mock
def test_second_night_fetches_only_new_statuses(tmp_path, engine, policy):
    cassette = serve("tag_since_cursor.json")
    set_cursor(engine, "md", "tag:BAYUMenang", IDS[105])
    sources = SourcesConfig(mastodon=[source(tags=["BAYUMenang"])])
    [r] = collect_all(make_settings(tmp_path), engine, sources=sources, policy=policy)
    assert (r.status, r.stored) == ("ok", 2)
    assert get_cursor(engine, "md", "tag:BAYUMenang") == IDS[107]
    assert all("max_id" not in c for c in cassette.calls)


@respx.mock
def test_malformed_page_keeps_collected_posts_and_the_old_cursor(tmp_path, engine, policy):
    serve("tag_malformed.json")
    sources = SourcesConfig(mastodon=[source(tags=["BAYUMenang"])])
    [r] = collect_all(make_settings(tmp_path), engine, sources=sources, policy=policy)
    assert r.status == "failed" and "malformed JSON" in r.error
    assert r.stored == 3  # page 1 is in the store ...
    assert get_cursor(engine, "md", "tag:BAYUMenang") is None  # ... but the cursor waits for a clean run
    with engine.connect() as conn:
        run = conn.execute(select(CollectionRun)).one()
    assert (run.status, run.n_stored) == ("failed", 3)


@respx.mock
def test_a_status_the_parser_refuses_is_rejected_visibly(tmp_path, engine, policy):
    serve("tag_bad_status.json")
    sources = SourcesConfig(mastodon=[source(tags=["BAYUMenang"])])
    [r] = collect_all(make_settings(tmp_path), engine, sources=sources, policy=policy)
    assert (r.status, r.stored, r.rejected) == ("partial", 2, 1)
    entry = json.loads(Path(r.rejects_path).read_text().splitlines()[0])
    assert entry["field"] == "created_at" and entry["file"] == "md:tag:BAYUMenang"
    assert get_cursor(engine, "md", "tag:BAYUMenang") == IDS[108]


# ---------------------------------------------------------------------------------------------- CLI


def write_config(tmp_path: Path, sources_yaml: str) -> Path:
    (tmp_path / "netra.yaml").write_text(
        f"store:\n  url: sqlite:///{tmp_path / 'netra.db'}\nlogging:\n  file: null\n"
        f"collect:\n  rejects_dir: {tmp_path / 'rejects'}\n  backoff_seconds: 0\n  max_retries: 1\n"
    )
    (tmp_path / "sources.yaml").write_text(sources_yaml)
    return tmp_path


def flat(text: str) -> str:
    """Rich wraps lines at the terminal width; compare on single spaces."""
    return " ".join(text.split())


SOURCES_YAML = f"""
mastodon:
  - name: md-tag
    enabled: true
    instance: {H}
    tags: [BAYUMenang]
    page_size: 3
  - name: md-akun
    enabled: true
    instance: {H}
    accounts: [akun_hilang]
    page_size: 3
  - name: md-off
    instance: {H}
    tags: [Lainnya]
"""


@respx.mock
def test_cli_runs_every_enabled_source_and_exits_partial_when_one_failed(tmp_path):
    from pipeline.cli import app

    serve("tag_first_run.json", "accounts.json", "tag_since_cursor.json")
    cfg = write_config(tmp_path, SOURCES_YAML)
    result = CliRunner().invoke(app, ["-c", str(cfg), "collect", "run"])
    assert result.exit_code == 3, result.output
    assert "md-tag" in result.output and "md-akun" in result.output and "md-off" not in result.output
    assert "not found (HTTP 404)" in flat(result.output)

    ok = CliRunner().invoke(app, ["-c", str(cfg), "collect", "run", "--source", "md-tag"])
    assert ok.exit_code == 0, ok.output  # the next night: only md-tag, from its cursor (105) on
    assert "md-akun" not in ok.output


def test_cli_bad_sources_file_names_file_key_and_reason(tmp_path):
    from pipeline.cli import app

    cfg = write_config(tmp_path, f"mastodon:\n  - name: m\n    instance: {H}\n    tagz: [x]\n")
    result = CliRunner().invoke(app, ["-c", str(cfg), "collect", "run"])
    assert result.exit_code == 2
    assert "sources.yaml: mastodon.0.tagz: Extra inputs are not permitted" in flat(result.output)
    unknown = CliRunner().invoke(app, ["-c", str(write_config(tmp_path, SOURCES_YAML)), "collect", "run",
                                       "--source", "nope"])  # fmt: skip
    assert unknown.exit_code == 2 and "no source named 'nope'" in flat(unknown.output)
