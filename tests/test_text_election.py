"""Election files and the candidate matcher (targets, ballot numbers in context, masking)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pipeline.config import PROJECT_ROOT, ConfigError
from pipeline.text.election import NAME_MASK, NUMBER_MASK, CandidateMatcher, load_election, load_elections

DEMO = PROJECT_ROOT / "configs" / "elections" / "demo.yaml"


@pytest.fixture(scope="module")
def matcher():
    return CandidateMatcher([load_election(DEMO)])


def test_demo_election_loads_with_two_digit_numbers():
    e = load_election(DEMO)
    assert [c.number for c in e.contests[0].candidates] == ["01", "02", "03"]
    assert e.contests[0].candidates[1].incumbent


def test_bad_election_file_names_file_and_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\ncontests:\n  - office: Bupati\n    candidates:\n      - number: 1\n        names: []\n"
    )
    with pytest.raises(ConfigError) as err:
        load_election(bad)
    assert str(bad) in str(err.value)
    assert "contests.0.candidates.0.names" in str(err.value)


def test_unknown_key_is_reported(tmp_path):
    bad = tmp_path / "typo.yaml"
    bad.write_text(
        "contests:\n  - office: Bupati\n    candidates: [{number: '01', names: [A B]}]\n    candidatez: []\n"
    )
    with pytest.raises(ConfigError, match="candidatez"):
        load_election(bad)


@pytest.mark.parametrize(
    ("text", "target"),
    [
        (
            "Bismillah, 27 November coblos nomor 2 ya dulur, Pak Hendra sudah terbukti kerjanya 💪 "
            "#LanjutkanHendra",
            "Pak Hendra / 02",
        ),
        ("yg milih paslon 01 siap2 nyesel 5 tahun, kerjanya cuma pencitraan", "01"),
        ("Hadir di deklarasi pemenangan Bu Ratna tadi malam, rame pol! salam tiga jari ✌️☝️", "Bu Ratna / 03"),
        ("#02Lanjutkan gas terus", "02Lanjutkan / 02"),
        ("no.3 menang!", "03"),
        ("Bawaslu Kota gelar sosialisasi netralitas ASN menjelang Pilkada serentak", None),
        ("Alhamdulillah calon pengantin sudah fitting baju, tinggal nunggu hari H", None),
    ],
)
def test_targets_of_guideline_examples(matcher, text, target):
    assert matcher(text).target == target


def test_acronyms_match_only_in_capitals(matcher):
    assert matcher("BAYU pasti menang!").target == "BAYU / 01"
    assert matcher("bayu sore ini sejuk sekali").target is None  # "bayu" is the word for breeze


def test_masking_names_and_numbers(matcher):
    text = "coblos nomor 2, Pak Hendra pasti menang #LanjutkanHendra"
    names = matcher(text, mask="names").masked
    assert "Hendra" not in names and NAME_MASK in names and "nomor 2" in names
    both = matcher(text, mask="all").masked
    assert f"nomor {NUMBER_MASK}" in both


def test_several_election_files_build_one_matcher(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(
        "contests:\n  - id: x-bup\n    office: Bupati\n    candidates:\n"
        "      - {number: '01', names: [Zulkarnain Akbar], nicknames: [Bang Zul], acronym: ZULAK}\n"
    )
    m = CandidateMatcher(load_elections([DEMO, other]))
    assert m("dukung Bang Zul!").target == "Bang Zul / 01"
    assert m("Pak Hendra mantap").target == "Pak Hendra / 02"


def test_normalise_posts_fills_text_norm_once(engine):
    from datetime import datetime

    from pipeline.schema import Post
    from pipeline.store.posts import upsert_posts
    from pipeline.store.tables import Post as PostRow
    from pipeline.text import normalise_posts

    posts = [Post("x", str(i), datetime(2026, 11, 1), f"cek @budi{i} #LanjutkanHendra") for i in range(5)]
    with engine.begin() as conn:
        upsert_posts(conn, posts)
    first = normalise_posts(engine, batch_size=2)
    assert first["n_out"] == 5
    with engine.connect() as conn:
        norms = conn.execute(select(PostRow.__table__.c.text_norm)).scalars().all()
    assert norms == ["cek @user lanjutkan hendra"] * 5
    assert normalise_posts(engine)["n_out"] == 0
