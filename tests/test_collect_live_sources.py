"""sources.yaml validation and the retry/rate-limit arithmetic shared by the live collectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.collect.backoff import RateLimited, RetryPolicy, rate_limit_pause, retry_after
from pipeline.collect.sources import SourcesConfig, load_sources, sources_path
from pipeline.config import ConfigError, Settings, load_settings

NOW = datetime(2026, 10, 12, 9, 0, 0, tzinfo=UTC)


def settings_with(tmp_path, text: str) -> Settings:
    (tmp_path / "sources.yaml").write_text(text)
    return Settings(config_dir=tmp_path)


def test_the_shipped_file_is_valid_and_everything_in_it_is_disabled():
    settings = load_settings(environ={})
    sources = load_sources(settings)
    assert sources_path(settings).name == "sources.yaml"
    assert {e.kind for e in sources.all()} == {"telegram", "mastodon", "x"}
    assert sources.enabled() == []  # no internet here; the demo scan reads files


def test_a_good_file_normalises_names(tmp_path):
    s = load_sources(
        settings_with(
            tmp_path,
            """
telegram:
  - {name: tg, enabled: true, channels: ["@Relawan_Contoh", "https://t.me/s/kabar_desa"]}
mastodon:
  - name: md
    instance: "https://mastodon.example/"
    tags: ["#BAYUMenang"]
    accounts: ["@budi@social.example"]
""",
        )
    )
    assert s.get("tg").channels == ["Relawan_Contoh", "kabar_desa"]
    md = s.get("md")
    assert (md.instance, md.tags, md.accounts) == (
        "https://mastodon.example",
        ["BAYUMenang"],
        ["budi@social.example"],
    )
    assert md.enabled is False and md.max_items == 2000 and md.page_size == 40
    assert [e.name for e in s.enabled()] == ["tg"]


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        (
            "telegram:\n  - {name: tg, chanels: [abcde]}\n",
            "telegram.0.chanels",
            "Extra inputs are not permitted",
        ),
        ("telegram:\n  - {name: tg, channels: [ab]}\n", "telegram.0.channels", "not a public channel name"),
        ("mastodon:\n  - {name: m, instance: mastodon.example}\n", "mastodon.0.instance", "base URL"),
        (
            "mastodon:\n  - {name: m, instance: 'https://m.example', page_size: 80}\n",
            "mastodon.0.page_size",
            "less than or equal to 40",
        ),
        (
            "mastodon:\n  - {name: m, instance: 'https://m.example', access_token_env: 'abc-123.xyz'}\n",
            "mastodon.0.access_token_env",
            "NAME of an environment variable",
        ),
        ("x:\n  - {name: x1, queries: ['  ']}\n", "x.0.queries", "empty"),
        ("x:\n  - {name: 'bad name'}\n", "x.0.name", "pattern"),
        ("telegram:\n  - {name: a}\nx:\n  - {name: a}\n", "", "used twice"),
        ("tiktok: []\n", "tiktok", "Extra inputs are not permitted"),
    ],
)
def test_bad_entries_fail_at_start_with_file_key_and_reason(tmp_path, text, key, reason):
    with pytest.raises(ConfigError) as err:
        load_sources(settings_with(tmp_path, text))
    assert err.value.source.endswith("sources.yaml")
    assert err.value.key == key
    assert reason in err.value.reason


def test_malformed_yaml_and_a_non_mapping_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"line \d+, column \d+: invalid YAML"):
        load_sources(settings_with(tmp_path, "telegram:\n  - [unclosed\n"))
    with pytest.raises(ConfigError, match="mapping"):
        load_sources(settings_with(tmp_path, "- telegram\n"))


def test_a_missing_file_means_no_live_sources(tmp_path):
    assert load_sources(Settings(config_dir=tmp_path)).all() == []


def test_unknown_source_name_lists_the_configured_ones():
    with pytest.raises(KeyError, match="configured: none"):
        SourcesConfig().get("nope")


# ---------------------------------------------------------------------------------------- backoff


def test_backoff_doubles_and_is_capped():
    p = RetryPolicy(backoff_seconds=2, max_wait=10)
    assert [p.backoff(a) for a in range(5)] == [2, 4, 8, 10, 10]


def test_retry_after_reads_seconds_http_dates_and_the_reset_header():
    assert retry_after({"Retry-After": "7"}, NOW) == 7
    http_date = (NOW + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert retry_after({"Retry-After": http_date}, NOW) == 90
    assert retry_after({"X-RateLimit-Reset": "2026-10-12T09:05:00.000Z"}, NOW) == 300
    assert retry_after({"Retry-After": "soon"}, NOW) is None
    assert retry_after({}, NOW) is None


def test_rate_limit_pause_only_when_the_budget_is_spent():
    reset = "2026-10-12T09:01:00.000Z"
    assert rate_limit_pause({"X-RateLimit-Remaining": "120", "X-RateLimit-Reset": reset}, NOW) == 0
    assert rate_limit_pause({"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": reset}, NOW) == 60
    assert (
        rate_limit_pause({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-10-12T08:00:00Z"}, NOW)
        == 0
    )
    assert rate_limit_pause({}, NOW) == 0


def test_settings_drive_the_policy_and_long_waits_are_refused():
    s = Settings()
    p = RetryPolicy.from_settings(s, max_wait=60)
    assert (p.max_retries, p.backoff_seconds, p.timeout_seconds) == (4, 2.0, 30.0)
    slept = []
    p.sleep = slept.append
    p.wait(5)
    with pytest.raises(RateLimited):
        p.wait(3600)
    assert slept == [5]
