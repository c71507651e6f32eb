"""The nightly report: flagged = partisan (default model) ∧ likely ASN, grouped and charted."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from pipeline.config import load_settings
from pipeline.report import build_report, write_report
from pipeline.report.data import wilson_interval
from pipeline.schema import Author, Metrics, Post
from pipeline.store.posts import upsert_posts
from pipeline.store.tables import AccountMatch, AsnRecord, ModelVersion, Prediction, RegistryVersion
from pipeline.store.tables import Post as PostRow

NIP = "198501012010011001"


# fmt: off
def _seed(engine) -> None:
    posts = [
        # by the ASN account: two partisan (one below the partisan threshold), one neutral
        ("1", "bu.ratna.spd", 0.95, "support", "02", datetime(2026, 11, 2, 9)),
        ("2", "bu.ratna.spd", 0.40, "support", "02", datetime(2026, 11, 3, 9)),
        ("3", "bu.ratna.spd", 0.05, "neutral", None, datetime(2026, 11, 3, 10)),
        # by an account that matched only weakly (namesake): partisan but not flagged
        ("4", "sri_wahyuni", 0.90, "oppose", "01", datetime(2026, 11, 4, 9)),
        # by an unmatched account
        ("5", "warga_biasa", 0.99, "support", "03", datetime(2026, 11, 4, 11)),
    ]
    with engine.begin() as conn:
        upsert_posts(conn, [
            Post(platform="x", post_id=pid, created_at=ts, text="...", author=Author(handle=h, followers=120),
                 metrics=Metrics(likes=3))
            for pid, h, _, _, _, ts in posts
        ])  # fmt: skip
        ids = dict(conn.execute(select(PostRow.post_id, PostRow.id)).all())
        conn.execute(ModelVersion.__table__.insert().values(
            version="v-test", path="models/v-test", backbone="tiny", metrics={}, is_default=True,
            created_at=datetime(2026, 11, 1)))  # fmt: skip
        for pid, _, score, stance, target, _ in posts:
            conn.execute(Prediction.__table__.insert().values(
                post_pk=ids[pid], model_version="v-test", stance=stance, scores={stance: score},
                partisan=score >= 0.5, partisan_score=score, target=target, created_at=datetime(2026, 11, 5)))
        rv = conn.execute(RegistryVersion.__table__.insert().values(
            imported_at=datetime(2026, 11, 1), source="r.csv", file_sha256="0" * 64, n_read=1, n_records=1,
            n_added=1, n_removed=0, n_changed=0, n_rejected=0)).inserted_primary_key[0]
        conn.execute(AsnRecord.__table__.insert().values(
            nip=NIP, nama="RATNA SARI", jabatan="Guru", instansi="Pemkab Tanjung Sari",
            kabupaten_kota="Kabupaten Tanjung Sari", provinsi="Nusa Jaya", birth_date=date(1985, 1, 1),
            tmt_cpns=date(2010, 1, 1), gender="1", row_hash="h", valid_from=rv))
        for handle, nip, p in (("bu.ratna.spd", NIP, 0.97), ("sri_wahyuni", None, 0.45)):
            conn.execute(AccountMatch.__table__.insert().values(
                platform="x", handle=handle, nip=nip, probability=p, threshold=0.8, p_in_registry=p,
                status="matched" if nip else "ambiguous", candidates=[], other_odds=0.0, evidence=[],
                registry_version=rv, matched_at=datetime(2026, 11, 5)))

# fmt: on


@pytest.fixture
def seeded(engine):
    _seed(engine)
    return engine


def test_flagged_posts_follow_the_queue_thresholds(seeded):
    settings = load_settings(environ={})
    report = build_report(settings, seeded, language="en")
    s = report["summary"]
    assert (s["posts_total"], s["posts_classified"], s["posts_partisan"], s["authors_asn"]) == (5, 5, 3, 1)
    assert s["flagged"] == 1
    assert s["flagged_by_region"] == {"Kabupaten Tanjung Sari": 1}
    assert s["flagged_by_agency"] == {"Pemkab Tanjung Sari": 1}
    assert s["flagged_by_day"] == {"2026-11-02": 1}
    assert s["top_accounts"][0]["handle"] == "bu.ratna.spd"
    html = report["html"]
    assert "Netra Nightly Report" in html
    assert html.count("data:image/png;base64,") == 5  # stance, target, region, agency, trend
    assert NIP not in html and "RATNA SARI" not in html  # no NIP or registry name in the report


def test_an_author_left_for_a_reviewer_is_not_counted_as_an_asn(seeded):
    # After a reviewer rejected his linked record, an author keeps his next candidate's probability
    # (here 0.9) but no NIP: he is not linked, so his partisan post is not flagged.
    with seeded.begin() as conn:
        conn.execute(AccountMatch.__table__.update().where(AccountMatch.handle == "sri_wahyuni")
                     .values(probability=0.9, status="needs_review"))  # fmt: skip
    s = build_report(load_settings(environ={}), seeded, language="en")["summary"]
    assert s["authors_asn"] == 1 and s["flagged"] == 1


def test_report_speaks_indonesian_by_default_and_writes_files(seeded, tmp_path):
    settings = load_settings(environ={})
    paths = write_report(settings, seeded, output_dir=tmp_path)
    html = paths[0].read_text(encoding="utf-8")
    assert "Laporan Harian Netra" in html and 'lang="id"' in html
    summary = json.loads(paths[1].read_text())
    assert summary["flagged"] == 1
    rows = paths[2].read_text().splitlines()
    assert rows[0].startswith("platform,handle") and len(rows) == 2
    assert (tmp_path / "latest.html").read_text(encoding="utf-8") == html


def test_empty_store_still_gives_a_readable_report(engine):
    report = build_report(load_settings(environ={}), engine, language="en")
    assert report["summary"]["flagged"] == 0
    assert "No data yet." in report["html"]


def test_wilson_interval_is_honest_about_small_samples():
    low, high = wilson_interval(1, 10)
    assert 0.0 < low < 0.1 < high < 0.5
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_targets_are_grouped_under_their_ballot_entry():
    from pipeline.report.data import _target_canonicaliser
    from pipeline.text.election import load_election

    settings = load_settings(environ={})
    canonical = _target_canonicaliser(load_election(settings.config_file(settings.election)))
    forms = ["Bu Ratna / 03", "RAGA", "Ratna / 03"]
    assert {canonical(t) for t in forms} == {"Ratna Dewi Lestari / 03"}
    assert canonical("LanjutkanHendra / 02") == "Hendra Wijaya / 02"  # a hashtag, given without '#'
    assert canonical("07") == "07"  # a number the election does not know stays as written
