"""What accounts and records say, as the matcher reads it (features.py, bio.yaml) and what the
account-level EM learns from it (matcher.estimate_prior)."""

import numpy as np
import pytest

from pipeline.registry.features import Gazetteer, account_features, extract_work, record_features, split_glued
from pipeline.registry.matcher import Priors, estimate_prior
from pipeline.registry.model import ACCOUNT_FACTORS, account_codes

VOCAB = frozenset({"budi", "kurniawan", "sri", "damayanti", "ratna", "susanti", "eka", "hasanah", "agus",
                   "santoso", "indah"})
GAZ = Gazetteer.from_pairs([("Kabupaten Tanjung Sari", "Nusa Jaya")])


def acc(handle: str, display: str, bio: str = "", location: str = "") -> dict:
    row = {"platform": "x", "handle": handle, "display_name": display, "bio": bio, "location": location}
    return account_features(row, GAZ, VOCAB)


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("budikurniawan", ["budi", "kurniawan"]),
        ("sridamayanti", ["sri", "damayanti"]),
        ("kopisenja", ["kopisenja"]),  # not names: left alone
        ("budikopi", ["budikopi"]),  # a cover must be complete
        ("ratna", ["ratna"]),
        # doubled letters are collapsed, the seam between two words too: agus|santoso, budi|indah
        ("agusantoso", ["agus", "santoso"]),
        ("budindah", ["budi", "indah"]),
        ("agusanto", ["agusanto"]),  # "anto" is no name word here: no cover, no split
    ],
)
def test_glued_handles_split_into_registry_name_words(token, words):
    assert split_glued(token, VOCAB) == words


def test_handle_reads_the_name_behind_a_nickname_or_a_one_word_display():
    assert acc("sridamayanti", "Langit Biru")["name_tokens"] == ["sri", "damayanti"]
    assert acc("budikurniawan55", "Pak Budi")["name_tokens"] == ["budi", "kurniawan"]
    assert acc("ratna_susanti", "Bu Ratna")["name_tokens"] == ["ratna", "susanti"]
    # a handle of ordinary words does not turn "Bu Eka" into a three-word name
    assert acc("bintang_senja617", "Bu Eka")["name_tokens"] == ["eka"]
    # nor does a handle naming someone else complete a one-word display name
    assert acc("agus_hasanah", "Bu Ratna")["name_tokens"] == ["ratna"]
    # the name key is the name so read (the exact level compares it)
    assert acc("budikurniawan55", "Pak Budi")["name_key"] == "budi kurniawan"
    assert acc("agussantoso64", "Bunda Cantik")["name_tokens"] == ["agus", "santoso"]


def test_without_a_vocabulary_the_handle_completes_a_one_word_display():
    row = {"platform": "x", "handle": "ratna_susanti", "display_name": "Bu Ratna"}
    assert account_features(row, GAZ)["name_tokens"] == ["ratna", "susanti"]


def test_retired_civil_servants_are_not_civil_servants():
    work = extract_work("pensiunan PNS | suka jalan-jalan")
    assert not work.asn and work.non_asn
    assert extract_work("purnabakti ASN").non_asn
    assert extract_work("PNS Dinkes").asn


def test_private_practice_is_not_the_civil_service():
    private = extract_work("bidan praktik mandiri | ibu 3 anak")
    assert private.non_asn and not private.asn and private.jobs == ("bidan",)
    assert extract_work("perawat, praktek swasta").non_asn
    # a PNS midwife who also runs a practice after hours is still a PNS
    both = extract_work("bidan PNS Puskesmas Sukamaju | praktik mandiri sore hari")
    assert both.asn and not both.non_asn


def test_what_is_named_is_kept_apart_from_the_agencies_above_it():
    sd = extract_work("guru SD")
    assert sd.kinds == ("sd",) and set(sd.agencies) >= {"sd", "disdik"}
    assert extract_work("PNS Dinkes").kinds == ("dinkes",)
    rec = {"nip": "1", "nama": "X", "jabatan": "Guru Ahli Madya", "instansi": "Pemerintah Provinsi B",
           "unit_kerja": "SMA Negeri 5 Sukamaju", "kabupaten_kota": "Kabupaten A"}  # fmt: skip
    feats = record_features(rec)
    assert feats["kinds"] == ["sma"] and "disdik" in feats["agencies"]  # pemprov is generic: left out


def test_desa_names_a_place_not_an_agency():
    assert extract_work("bidan desa").agencies == ()
    assert extract_work("bidan desa Sukamaju").places == ("sukamaju",)


def test_offices_are_named_outright_not_through_units():
    assert extract_work("staf Dinas Kesehatan").offices == ("dinkes",)
    assert extract_work("guru SDN 2 Sukamaju").offices == ()  # a school, not the Disdik office
    ppl = extract_work("PPL Kec. Tegalmukti")
    assert "distan" in ppl.offices and "penyuluh" in ppl.jobs  # the Dinas Pertanian's field worker
    rec = {"nip": "1", "nama": "X", "jabatan": "Analis Kesehatan", "instansi": "Pemerintah Kabupaten A",
           "unit_kerja": "Dinas Kesehatan", "kabupaten_kota": "Kabupaten A", "provinsi": "B"}  # fmt: skip
    feats = record_features(rec)
    assert feats["offices"] == ["dinkes"] and "administrasi" in feats["jobs"]  # "staf Dinkes" agrees
    school = record_features({**rec, "jabatan": "Guru", "unit_kerja": "SD Negeri 2 Sukamaju"})
    assert school["offices"] is None


def test_account_codes_say_whether_the_bio_names_work():
    assert account_codes(acc("a", "Agus", "guru SDN 2 Sukamaju"))["work"] == "says"
    assert account_codes(acc("a", "Agus", "pecinta kopi"))["work"] == "silent"
    assert account_codes(acc("a", "Agus", "PNS"))["status"] == "asn"


def test_em_learns_how_often_members_and_others_name_their_work():
    rng = np.random.default_rng(3)
    n_in, n_out = 600, 400
    inside = np.r_[np.ones(n_in), np.zeros(n_out)].astype(bool)
    # members: a strong candidate; others: a weak one at most (scores without name frequencies)
    s_other = np.where(inside, rng.uniform(50, 500, n_in + n_out), rng.uniform(0, 0.01, n_in + n_out))
    work = np.where(rng.random(n_in + n_out) < np.where(inside, 0.8, 0.2), "says", "silent")
    start = Priors(
        0.1,
        {f: {lv.code: lv.m for lv in lvs} for f, lvs in ACCOUNT_FACTORS.items()},
        {f: {lv.code: lv.u for lv in lvs} for f, lvs in ACCOUNT_FACTORS.items()},
        0.5,
    )
    codes = {"status": ["silent"] * (n_in + n_out), "work": work.tolist()}
    got = estimate_prior(np.zeros(n_in + n_out), s_other, np.zeros(n_in + n_out), codes, start)
    assert got.pi == pytest.approx(0.6, abs=0.03)
    assert got.factor_in["work"]["says"] == pytest.approx(0.8, abs=0.05)
    assert got.factor_out["work"]["says"] == pytest.approx(0.2, abs=0.05)
