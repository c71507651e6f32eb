"""File imports end to end: detection, rejects, unreadable files, idempotent re-import, the CLI."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.collect import files as files_mod
from pipeline.collect.files import UnreadableFile, detect_record, import_file, list_files
from pipeline.config import CollectSettings, ConfigError, Settings, StoreSettings
from pipeline.store.tables import CollectionRun
from pipeline.store.tables import Post as PostRow

FIX = Path(__file__).parent / "fixtures" / "formats"
GOOD = ["snscrape_tweets.jsonl", "twscrape_tweets.jsonl", "snscrape_mixed.jsonl", "mastodon_statuses.json",
        "telegram_result.json", "tiktok.csv", "tiktok.mapping.yaml"]  # fmt: skip


def settings_for(tmp_path: Path, url: str, batch_size: int = 2) -> Settings:
    return Settings(
        store=StoreSettings(url=url),
        collect=CollectSettings(batch_size=batch_size, rejects_dir=str(tmp_path / "rejects")),
    )


@pytest.fixture
def sqlite_engine(tmp_path):
    from pipeline.store import open_store

    eng = open_store(f"sqlite:///{tmp_path / 'netra.db'}")
    yield eng
    eng.dispose()


def count_posts(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(PostRow))


def copy_fixtures(dest: Path, names: list[str]) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(FIX / name, dest / name)
    return dest


# -- detection -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("snscrape_tweets.jsonl", "snscrape"),
        ("twscrape_tweets.jsonl", "twscrape"),
        ("snscrape_mixed.jsonl", "snscrape"),
        ("mastodon_statuses.json", "mastodon"),
        ("telegram_result.json", "telegram-export"),
        ("tiktok.csv", "csv"),
    ],
)
def test_auto_detects_each_format(tmp_path, sqlite_engine, name, fmt):
    folder = copy_fixtures(tmp_path / "in", [name, "tiktok.mapping.yaml"])
    summary = import_file(folder / name, engine=sqlite_engine, settings=settings_for(tmp_path, "sqlite://"))
    (result,) = summary.files
    assert result.format == fmt
    assert result.stored > 0


def test_detect_record_tells_twscrape_from_snscrape():
    tweet = orjson.loads((FIX / "snscrape_tweets.jsonl").read_bytes().splitlines()[0])
    assert detect_record(tweet) == "snscrape"
    assert detect_record(tweet | {"date": "2026-10-01 01:15:00+00:00"}) == "twscrape"
    assert detect_record(tweet | {"bookmarkedCount": 0}) == "twscrape"
    assert detect_record({"account": {}, "created_at": "x"}) == "mastodon"
    assert detect_record({"hello": 1}) is None


def test_directory_import_counts_every_file_and_skips_marked_folders(tmp_path, sqlite_engine):
    folder = copy_fixtures(tmp_path / "in", GOOD)
    broken = copy_fixtures(folder / "broken", ["broken.jsonl"])
    (broken / ".netraignore").write_text("")
    assert [p.name for p in list_files(folder)] == sorted(n for n in GOOD if not n.endswith(".yaml"))
    summary = import_file(folder, engine=sqlite_engine, settings=settings_for(tmp_path, "sqlite://"))
    c = summary.counts
    assert (c.read, c.stored, c.updated, c.rejected, c.skipped) == (22, 19, 0, 2, 1)
    assert c.read == c.stored + c.updated + c.rejected + c.skipped
    assert count_posts(sqlite_engine) == 19
    assert summary.status == "partial"
    # the ignored folder still imports when named explicitly
    again = import_file(broken, engine=sqlite_engine, settings=settings_for(tmp_path, "sqlite://"))
    assert again.counts.stored == 2


def test_gzip_is_read_transparently(tmp_path, sqlite_engine):
    path = tmp_path / "tweets.jsonl.gz"
    path.write_bytes(gzip.compress((FIX / "snscrape_tweets.jsonl").read_bytes()))
    summary = import_file(path, engine=sqlite_engine, settings=settings_for(tmp_path, "sqlite://"))
    assert (summary.files[0].format, summary.counts.stored) == ("snscrape", 3)


# -- rejects -------------------------------------------------------------------------------------


def test_bad_lines_go_to_rejects_with_file_line_and_field(tmp_path, sqlite_engine):
    path = copy_fixtures(tmp_path / "in", ["broken.jsonl"]) / "broken.jsonl"
    summary = import_file(path, engine=sqlite_engine, settings=settings_for(tmp_path, "sqlite://"))
    assert (summary.counts.stored, summary.counts.rejected) == (2, 5)
    assert summary.rejects_path and Path(summary.rejects_path).parent == tmp_path / "rejects"
    rejects = [orjson.loads(x) for x in Path(summary.rejects_path).read_bytes().splitlines()]
    assert [(r["line"], r["field"]) for r in rejects] == [
        (2, "date"), (3, "json"), (5, "id"), (6, "likeCount"), (7, "_type"),
    ]  # fmt: skip
    assert all(r["file"] == str(path) for r in rejects)
    assert rejects[0]["raw"].startswith('{"_type": "snscrape.modules.twitter.Tweet"')
    assert "kemarin" in rejects[0]["reason"]
    with sqlite_engine.connect() as conn:
        run = conn.execute(select(CollectionRun)).one()
    assert (run.status, run.n_read, run.n_stored, run.n_rejected) == ("partial", 7, 2, 5)
    assert run.rejects_path == summary.rejects_path


def test_csv_reject_reports_the_line_and_column(tmp_path, sqlite_engine):
    folder = copy_fixtures(tmp_path / "in", ["tiktok.csv", "tiktok.mapping.yaml"])
    summary = import_file(
        folder / "tiktok.csv", engine=sqlite_engine, settings=settings_for(tmp_path, "sqlite://")
    )
    (reject,) = [orjson.loads(x) for x in Path(summary.rejects_path).read_bytes().splitlines()]
    assert (reject["line"], reject["field"]) == (4, "create_time")


# -- unreadable files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "missing", "words"),
    [
        ("binary.jsonl", False, "binary"),
        ("latin1.csv", False, "UTF-8"),
        ("does-not-exist.jsonl", True, "no such file"),
    ],
)
def test_unreadable_file_is_a_clear_error(tmp_path, sqlite_engine, name, missing, words):
    with pytest.raises(UnreadableFile) as info:
        import_file(FIX / name, engine=sqlite_engine, settings=settings_for(tmp_path, "sqlite://"))
    assert info.value.missing is missing
    assert words in info.value.reason
    assert name in str(info.value)


def test_unknown_json_and_csv_without_mapping(tmp_path, sqlite_engine):
    unknown = tmp_path / "x.jsonl"
    unknown.write_text('{"hello": 1}\n{"hello": 2}\n')
    with pytest.raises(UnreadableFile, match="unknown JSON records"):
        import_file(unknown, engine=sqlite_engine, settings=settings_for(tmp_path, "sqlite://"))
    lonely = copy_fixtures(tmp_path / "csv", ["tiktok.csv"]) / "tiktok.csv"
    with pytest.raises(ConfigError, match="needs a column mapping"):
        import_file(lonely, engine=sqlite_engine, settings=settings_for(tmp_path, "sqlite://"))
    bad_map = tmp_path / "bad.yaml"
    bad_map.write_text(
        "platform: tiktok\ncolumns: {post_id: video_id, text: caption, created_at: create_time}\n"
    )
    with pytest.raises(ConfigError, match=r"'caption' is not in tiktok\.csv"):
        import_file(
            lonely, mapping=bad_map, engine=sqlite_engine, settings=settings_for(tmp_path, "sqlite://")
        )


# -- idempotence and crashes ---------------------------------------------------------------------


def test_reimport_updates_and_never_duplicates(tmp_path, engine, store_url):
    folder = copy_fixtures(tmp_path / "in", GOOD)
    settings = settings_for(tmp_path, store_url)
    first = import_file(folder, engine=engine, settings=settings)
    n = count_posts(engine)
    assert first.counts.stored == n == 19

    # the same file again, with fresher metrics on one tweet
    tweets = folder / "snscrape_tweets.jsonl"
    records = [orjson.loads(x) for x in tweets.read_bytes().splitlines()]
    records[0]["likeCount"] = 999
    tweets.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    second = import_file(folder, engine=engine, settings=settings)
    assert (second.counts.stored, second.counts.updated) == (0, first.counts.stored)
    assert count_posts(engine) == n
    with engine.connect() as conn:
        likes = conn.scalar(select(PostRow.likes).where(PostRow.post_id == "1850000000000000001"))
        runs = conn.execute(select(CollectionRun.id, CollectionRun.n_stored, CollectionRun.n_updated)).all()
    assert likes == 999
    assert [(r.n_stored, r.n_updated) for r in runs] == [(19, 0), (0, 19)]


def test_a_crash_halfway_keeps_committed_batches_and_the_rerun_completes(
    tmp_path, sqlite_engine, monkeypatch
):
    lines = [orjson.loads(x) for x in (FIX / "snscrape_tweets.jsonl").read_bytes().splitlines()]
    many = []
    for i in range(10):
        for r in lines:
            many.append(r | {"id": r["id"] + i * 10})
    path = tmp_path / "many.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in many))
    settings = settings_for(tmp_path, "sqlite://", batch_size=4)

    real = files_mod._PARSERS["snscrape"]
    calls = {"n": 0}

    def flaky(record):
        calls["n"] += 1
        if calls["n"] == 11:
            raise KeyboardInterrupt  # Ctrl-C or a kill in the middle of the file
        return real(record)

    monkeypatch.setitem(files_mod._PARSERS, "snscrape", flaky)
    with pytest.raises(KeyboardInterrupt):
        import_file(path, engine=sqlite_engine, settings=settings)
    assert count_posts(sqlite_engine) == 10  # 2 batches of 4 committed, the 2 in hand kept on the way out
    with sqlite_engine.connect() as conn:
        run = conn.execute(select(CollectionRun)).one()
    assert run.status == "failed" and "KeyboardInterrupt" in run.error and run.n_stored == 10

    monkeypatch.setitem(files_mod._PARSERS, "snscrape", real)
    rerun = import_file(path, engine=sqlite_engine, settings=settings)
    assert (rerun.counts.stored, rerun.counts.updated) == (20, 10)
    assert count_posts(sqlite_engine) == 30


# -- CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path):
    return {
        "NETRA_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "NETRA__COLLECT__REJECTS_DIR": str(tmp_path / "rejects"),
        "NETRA__LOGGING__FILE": str(tmp_path / "log.jsonl"),
    }


def test_cli_imports_and_prints_a_summary(tmp_path, cli_env):
    folder = copy_fixtures(tmp_path / "in", GOOD)
    runner = CliRunner()
    result = runner.invoke(app, ["collect", "file", str(folder)], env=cli_env)
    assert result.exit_code == 3, result.output  # PARTIAL: the fixtures hold two bad records
    assert "read 22, stored 19, updated 0, rejected 2, skipped 1" in result.stdout
    assert "rejects: " in result.stdout and "telegram-export" in result.stdout

    ok = runner.invoke(app, ["collect", "file", str(folder / "snscrape_tweets.jsonl"), "--source", "demo"],
                       env=cli_env)  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "stored 0, updated 3" in ok.stdout


def test_cli_exit_codes(tmp_path, cli_env):
    runner = CliRunner()
    missing = runner.invoke(app, ["collect", "file", str(tmp_path / "nope.jsonl")], env=cli_env)
    assert missing.exit_code == 66
    assert "nope.jsonl" in missing.output
    binary = runner.invoke(app, ["collect", "file", str(FIX / "binary.jsonl")], env=cli_env)
    assert binary.exit_code == 65
    bad_format = runner.invoke(
        app, ["collect", "file", str(FIX / "broken.jsonl"), "--format", "xml"], env=cli_env
    )
    assert bad_format.exit_code == 2
    lonely = copy_fixtures(tmp_path / "csv", ["tiktok.csv"]) / "tiktok.csv"
    no_map = runner.invoke(app, ["collect", "file", str(lonely)], env=cli_env)
    assert no_map.exit_code == 2
    mapped = runner.invoke(app, ["collect", "file", str(lonely), "--map", "tiktok"], env=cli_env)
    assert mapped.exit_code == 3  # one row has a broken date
    assert "stored 2" in mapped.stdout


# -- the demo data and the write path ------------------------------------------------------------

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"


def test_demo_folder_imports_cleanly_and_matches_the_personas(tmp_path, sqlite_engine):
    import yaml

    summary = import_file(DEMO, engine=sqlite_engine, settings=settings_for(tmp_path, "sqlite://", 500))
    c = summary.counts
    assert c.rejected == 0 and not summary.failed_files
    assert c.stored >= 250
    assert {f.format for f in summary.files} >= {"snscrape", "twscrape", "mastodon", "telegram-export", "csv"}
    assert all("broken" not in f.path for f in summary.files)  # .netraignore keeps the bad lines out
    with sqlite_engine.connect() as conn:
        platforms = set(conn.scalars(select(PostRow.platform).distinct()))
        handles = set(conn.scalars(select(PostRow.author_handle).distinct()))
        names = set(conn.scalars(select(PostRow.author_display_name).distinct()))
    assert platforms == {"x", "telegram", "mastodon", "reddit", "facebook", "instagram", "tiktok"}
    personas = yaml.safe_load((DEMO / "personas.yaml").read_text(encoding="utf-8"))["personas"]
    assert len(personas) >= 15
    for p in personas:  # every persona posts something the import can attribute to it
        assert (p["handle"] in handles) if p["handle"] else (p["display_name"] in names), p["key"]


def test_a_stray_csv_in_a_folder_is_passed_over(tmp_path, sqlite_engine):
    folder = copy_fixtures(tmp_path / "in", ["snscrape_tweets.jsonl"])
    (folder / "registry.csv").write_text("nip,nama\n1,Budi\n")
    summary = import_file(folder, engine=sqlite_engine, settings=settings_for(tmp_path, "sqlite://"))
    assert summary.status == "ok" and not summary.partial
    (stray,) = [f for f in summary.files if f.path.endswith("registry.csv")]
    assert stray.note and "mapping" in stray.note


def test_sqlite_fast_path_reads_back_like_the_orm_wrote_it(tmp_path, engine):
    """The SQLite path serialises values itself; what SQLAlchemy reads back must be the same Post."""
    from pipeline.collect.formats import parse_snscrape

    record = orjson.loads((FIX / "snscrape_tweets.jsonl").read_bytes().splitlines()[0])
    post = parse_snscrape(record)
    import_file(FIX / "snscrape_tweets.jsonl", engine=engine, settings=settings_for(tmp_path, "sqlite://"))
    with engine.connect() as conn:
        table = PostRow.__table__
        row = conn.execute(select(table).where(table.c.post_id == post.post_id)).mappings().one()
    assert row["created_at"] == post.created_at
    assert (row["hashtags"], row["mentions"], row["links"]) == (post.hashtags, post.mentions, post.links)
    assert row["raw"] == post.raw
    assert (row["author_handle"], row["author_followers"], row["views"]) == ("budi_guru88", 312, 2310)
    assert row["first_seen_at"] == row["updated_at"] and row["run_id"] == 1


def test_background_writer_errors_reach_the_caller(tmp_path, sqlite_engine, monkeypatch):
    from datetime import datetime

    from pipeline.collect import sink as sink_mod
    from pipeline.schema import Post

    def broken(conn, posts):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sink_mod, "upsert_posts", broken)
    s = sink_mod.PostSink(sqlite_engine, "t", batch_size=2, rejects_dir=tmp_path, background=True)
    with pytest.raises(RuntimeError, match="disk full"), s:
        for i in range(5):
            s.add(Post("x", str(i), datetime(2026, 10, 1), "hai"))
    with sqlite_engine.connect() as conn:
        run = conn.execute(select(CollectionRun)).one()
    assert run.status == "failed" and "disk full" in run.error
