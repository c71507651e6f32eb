import logging
import re
from datetime import datetime

import pandas as pd
import pytest
from sklearn.base import clone
from sqlalchemy import select

from pipeline.config import load_settings
from pipeline.registry import match_authors
from pipeline.registry.feedback import record_feedback
from pipeline.registry.matcher import NEEDS_REVIEW, AccountMatcher, Feedback, order_pairs
from pipeline.registry.pseudonym import pseudonymise_nip, pseudonymise_result
from pipeline.registry.store import load_feedback, save_matches
from pipeline.registry.synthetic import generate_records, public_record
from pipeline.schema import Author, Post
from pipeline.store.posts import upsert_posts
from pipeline.store.tables import AccountMatch

SRI_GURU = "198503122010012003"
SRI_BIDAN = "198703152011012004"
BUDI = "197901012005011001"


def registry(extra: int = 30) -> pd.DataFrame:
    """Two Sri Wahyuni in one kabupaten (a teacher and a midwife), a Budi with a declared account,
    and fictional others around them."""
    rows = [
        dict(
            nip=SRI_GURU,
            nama="Sri Wahyuni",
            gelar_depan="",
            gelar_belakang="S.Pd.",
            jabatan="Guru Ahli Pertama",
            instansi="Pemerintah Kabupaten Tanjung Sari",
            unit_kerja="SD Negeri 2 Sukamaju",
            kabupaten_kota="Kabupaten Tanjung Sari",
            provinsi="Nusa Jaya",
            akun=None,
        ),
        dict(
            nip=SRI_BIDAN,
            nama="SRI WAHYUNI",
            gelar_depan="",
            gelar_belakang="A.Md.Keb.",
            jabatan="Bidan Terampil",
            instansi="Pemerintah Kabupaten Tanjung Sari",
            unit_kerja="Puskesmas Sukamaju",
            kabupaten_kota="Kabupaten Tanjung Sari",
            provinsi="Nusa Jaya",
            akun=None,
        ),
        dict(
            nip=BUDI,
            nama="Budi Santoso",
            gelar_depan="",
            gelar_belakang="S.E.",
            jabatan="Pengadministrasi Umum",
            instansi="Pemerintah Kota Batu Raya",
            unit_kerja="Kecamatan Batu Timur",
            kabupaten_kota="Kota Batu Raya",
            provinsi="Nusa Jaya",
            akun="x:budi_santoso88",
        ),
    ]
    others = [public_record(r) for r in generate_records(extra, seed=5, common_rate=0.0)]
    return pd.DataFrame(rows + others)


def account(handle: str, display: str, bio: str = "", location: str = "", platform: str = "x") -> dict:
    return {"platform": platform, "handle": handle, "display_name": display, "bio": bio, "location": location}


@pytest.fixture(scope="module")
def matcher() -> AccountMatcher:
    return AccountMatcher(threshold=0.8).fit(registry())


def by_handle(results: list[dict]) -> dict[str, dict]:
    return {r["handle"]: r for r in results}


def test_two_equally_plausible_namesakes_share_the_probability(matcher):
    (res,) = matcher.predict([account("sriw", "Sri Wahyuni")])
    probs = {c["nip"]: c["probability"] for c in res["candidates"]}
    assert set(probs) >= {SRI_GURU, SRI_BIDAN}
    assert probs[SRI_GURU] == pytest.approx(probs[SRI_BIDAN])
    assert max(probs.values()) < 0.5
    assert res["nip"] is None and res["status"] != "matched"
    assert res["evidence"][0]["field"] == "namesakes"


def test_even_full_agreement_cannot_pick_between_two_identical_records():
    reg = registry()
    twin = reg.iloc[1].copy()
    twin["nip"] = "198807202012012001"
    m = AccountMatcher(threshold=0.8).fit(pd.concat([reg, twin.to_frame().T]))
    (res,) = m.predict(
        [account("sri_bidan", "Sri Wahyuni, A.Md.Keb", "Bidan Puskesmas Sukamaju | PNS", "Tanjung Sari")]
    )
    top, second = res["candidates"][:2]
    assert {top["nip"], second["nip"]} == {SRI_BIDAN, "198807202012012001"}
    assert top["probability"] < 0.5 and res["nip"] is None
    assert res["p_in_registry"] > 0.9  # surely one of them, but not which
    assert res["status"] == "ambiguous"


def test_bio_and_location_tip_the_balance(matcher):
    results = by_handle(
        matcher.predict(
            [
                account("sri_bidan", "Sri Wahyuni", "bidan desa Sukamaju", "Tanjung Sari"),
                account("sri_guru", "Sri Wahyuni", "guru SDN 2 Sukamaju", "Tanjung Sari"),
            ]
        )
    )
    assert results["sri_bidan"]["nip"] == SRI_BIDAN and results["sri_bidan"]["probability"] >= 0.8
    assert results["sri_guru"]["nip"] == SRI_GURU and results["sri_guru"]["probability"] >= 0.8
    evidence = {e["field"]: e for e in results["sri_bidan"]["evidence"]}
    assert evidence["job"]["level"] == "same" and evidence["job"]["weight"] > 0
    assert evidence["region"]["level"] == "kab"
    assert evidence["name"]["record"] == "SRI WAHYUNI, A.Md.Keb."
    assert all(
        {"field", "level", "label", "label_id", "weight", "strength"} <= set(e) for e in evidence.values()
    )


def test_a_named_kind_of_school_does_not_fit_another_school_of_the_same_agency():
    # Two teachers called Sri Wahyuni in one kabupaten, at an SD and at an SMA: both schools are under
    # the Dinas Pendidikan, but "pendidik SD" names an SD, so the SMA teacher only shares the parent.
    reg = registry()
    sma = {**reg.iloc[0].to_dict(), "nip": "198602142011012005", "jabatan": "Guru Ahli Madya",
           "unit_kerja": "SMA Negeri 5 Sukamaju", "instansi": "Pemerintah Provinsi Nusa Jaya"}  # fmt: skip
    m = AccountMatcher().fit(pd.concat([reg, pd.DataFrame([sma])], ignore_index=True))
    (res,) = m.predict([account("sri_w", "Sri Wahyuni", "pendidik SD", "Tanjung Sari")])
    probs = {c["nip"]: c["probability"] for c in res["candidates"]}
    assert probs[SRI_GURU] > 4 * probs["198602142011012005"]
    workplace = next(e for e in res["evidence"] if e["field"] == "workplace")
    assert res["candidates"][0]["nip"] == SRI_GURU and workplace["level"] == "agency"


def test_declared_account_is_certain(matcher):
    (res,) = matcher.predict([account("@Budi_Santoso88", "Pak Kumis", "")])
    assert res["nip"] == BUDI and res["probability"] == 1.0 and res["status"] == "declared"
    assert res["evidence"][0]["field"] == "declared"


def test_confirmation_is_certain_and_rejection_is_never_proposed_again(matcher):
    sri = account("sri_bidan", "Sri Wahyuni", "bidan desa Sukamaju", "Tanjung Sari")
    fb = Feedback(confirmed={"x:sri_guru": SRI_GURU}, rejected={("x:sri_bidan", SRI_BIDAN)})
    results = by_handle(matcher.predict([sri, account("sri_guru", "Sri W")], fb))
    assert results["sri_guru"]["nip"] == SRI_GURU and results["sri_guru"]["probability"] == 1.0
    assert results["sri_guru"]["status"] == "confirmed"
    rejected = results["sri_bidan"]
    assert SRI_BIDAN not in {c["nip"] for c in rejected["candidates"]}
    # the teacher now fits best, but after a rejection no record is linked without a reviewer
    assert rejected["candidates"][0]["nip"] == SRI_GURU and rejected["probability"] >= 0.6
    assert rejected["nip"] is None and rejected["status"] == NEEDS_REVIEW
    assert rejected["evidence"][0]["field"] == "review" and rejected["evidence"][0]["level"] == "rejected"
    # a reviewer's confirmation of another record links it with certainty
    fb.confirmed["x:sri_bidan"] = SRI_GURU
    (again,) = matcher.predict([sri], fb)
    assert again["nip"] == SRI_GURU and again["probability"] == 1.0 and again["status"] == "confirmed"


def test_candidates_are_ordered_by_the_odds_the_account_formula_uses():
    # Splink's r for a name scored with term frequencies is divided by q0 afterwards: an exact
    # namesake (r 0.8 → 1.6 at q0 0.5) outranks a spelling variant Splink scored higher (r 1.0).
    # Namesakes with equal odds are listed by NIP, whatever order the database returned them in.
    pairs = pd.DataFrame({
        "unique_id_l": ["x:a", "x:a", "x:a", "x:b", "x:b"],
        "unique_id_r": ["3", "2", "1", "9", "8"],
        "r": [1.0, 0.8, 0.8, 0.5, 0.5],
        "tfl": [False, True, True, True, True],
    })  # fmt: skip
    out = order_pairs(pairs, q0=0.5)
    assert list(out.unique_id_r) == ["1", "2", "3", "8", "9"]
    assert list(out.r_adj) == [1.6, 1.6, 1.0, 1.0, 1.0]


def test_unrelated_account_has_no_candidates(matcher):
    (res,) = matcher.predict([account("kopi_senja", "Kopi Senja", "pecinta kopi")])
    assert res["candidates"] == [] and res["nip"] is None and res["probability"] == 0.0


def test_estimator_contract():
    m = AccountMatcher(threshold=0.7, max_candidates=3)
    assert m.get_params()["threshold"] == 0.7 and clone(m).max_candidates == 3
    assert not hasattr(m, "settings_")
    with pytest.raises(RuntimeError, match="not fitted"):
        m.predict([account("a", "b")])
    assert m.fit(registry(5)) is m
    assert m.n_records_ == 8 and m.threshold == 0.7


def test_pseudonymised_results_hide_nips_and_record_values(matcher):
    (res,) = matcher.predict([account("sri_bidan", "Sri Wahyuni", "bidan desa Sukamaju", "Tanjung Sari")])
    out = pseudonymise_result(res, "secret")
    assert out["nip"] == pseudonymise_nip(SRI_BIDAN, "secret") != pseudonymise_nip(SRI_BIDAN, "other key")
    assert re.fullmatch(r"asn_[0-9a-f]{24}", out["nip"])
    text = str(out)
    assert SRI_BIDAN not in text and SRI_GURU not in text and "A.Md.Keb" not in text


def make_post(post_id: str, handle: str, display: str, bio: str = "", location: str = "") -> Post:
    return Post(
        platform="x",
        post_id=post_id,
        created_at=datetime(2026, 11, 1, 8, 0),
        text="coblos nomor 2",
        author=Author(handle=handle, display_name=display, bio=bio, location=location),
    )


def test_match_authors_is_idempotent_and_applies_feedback(engine, tmp_path, caplog):
    reg_file = tmp_path / "registry.csv"
    registry().to_csv(reg_file, index=False)
    settings = load_settings(environ={"NETRA__COLLECT__REJECTS_DIR": str(tmp_path / "rejects")})
    with engine.begin() as conn:
        upsert_posts(
            conn,
            [
                make_post("1", "Sri_Bidan", "Sri Wahyuni", "bidan desa Sukamaju", "Tanjung Sari"),
                make_post("2", "sriw", "Sri Wahyuni"),
                make_post("3", "budi_santoso88", "Budi"),
            ],
        )
    caplog.set_level(logging.INFO)
    first = match_authors(settings, engine, registry_file=reg_file)
    assert (first["read"], first["written"], first["skipped"], first["linked"]) == (3, 3, 0, 2)
    again = match_authors(settings, engine, registry_file=reg_file)
    assert (again["written"], again["skipped"]) == (0, 3)
    with engine.connect() as conn:
        rows = {r.handle: r for r in conn.execute(select(AccountMatch))}
    assert rows["Sri_Bidan"].nip == SRI_BIDAN  # stored under the handle as the posts have it
    assert rows["sriw"].nip is None and rows["budi_santoso88"].status == "declared"
    assert rows["Sri_Bidan"].registry_version == 1
    assert rows["Sri_Bidan"].threshold == settings.match.threshold

    with engine.begin() as conn:  # the review app's call, inside its transaction
        confirmed = record_feedback(conn, "x", "sriw", SRI_GURU, "confirm", "reviewer1")
        rejected = record_feedback(conn, "x", "Sri_Bidan", SRI_BIDAN, "reject", "reviewer2")
    assert (
        confirmed["nip"] == SRI_GURU
        and confirmed["probability"] == 1.0
        and confirmed["status"] == "confirmed"
    )
    # The rejected record is gone for good; the rest is renormalised from the stored odds (here the
    # teacher Sri Wahyuni in the same village takes most of it: the account is in the registry and
    # it is not the midwife), P_i = odds_i / (1 + sum of odds + other_odds). But the profile misled
    # the model once: no other record is linked without a reviewer, however probable it now is.
    assert SRI_BIDAN not in {c["nip"] for c in rejected["candidates"]}
    rest = rejected["candidates"]
    total = 1 + sum(c["odds"] for c in rest) + rejected["other_odds"]
    assert all(abs(c["probability"] - c["odds"] / total) < 1e-3 for c in rest)
    assert rest[0]["nip"] == SRI_GURU and rest[0]["probability"] >= settings.match.threshold
    assert rejected["nip"] is None and rejected["status"] == NEEDS_REVIEW
    assert rejected["probability"] == rest[0]["probability"]
    with engine.connect() as conn:
        fb = load_feedback(conn)
    assert fb.confirmed == {"x:sriw": SRI_GURU} and ("x:sri_bidan", SRI_BIDAN) in fb.rejected

    with engine.begin() as conn:  # a changed profile is matched again; feedback still holds
        upsert_posts(conn, [make_post("4", "sriw", "Sri Wahyuni", "guru SD", "Tanjung Sari")])
    third = match_authors(settings, engine)
    assert (third["written"], third["skipped"]) == (2, 1)  # sriw changed; Sri_Bidan lost its hash on reject
    with engine.connect() as conn:
        rows = {r.handle: r for r in conn.execute(select(AccountMatch))}
    assert rows["sriw"].nip == SRI_GURU and rows["sriw"].status == "confirmed"
    assert SRI_BIDAN not in {c["nip"] for c in rows["Sri_Bidan"].candidates}
    # the later run reads the rejection: still listed, still not linked
    assert rows["Sri_Bidan"].nip is None and rows["Sri_Bidan"].status == NEEDS_REVIEW
    assert rows["Sri_Bidan"].candidates[0]["nip"] == SRI_GURU

    with engine.begin() as conn:  # a reviewer confirms the teacher: linked with certainty
        confirmed = record_feedback(conn, "x", "Sri_Bidan", SRI_GURU, "confirm", "reviewer2")
    assert confirmed["nip"] == SRI_GURU and confirmed["status"] == "confirmed"
    match_authors(settings, engine, force=True)  # and a later run keeps it
    with engine.connect() as conn:
        row = conn.execute(select(AccountMatch).where(AccountMatch.handle == "Sri_Bidan")).one()
    assert row.nip == SRI_GURU and row.probability == 1.0 and row.status == "confirmed"

    text = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    for secret in (SRI_GURU, SRI_BIDAN, BUDI, "Sri Wahyuni", "SRI WAHYUNI", "Budi Santoso", "Sukamaju"):
        assert secret.lower() not in text.lower(), secret
    assert re.search(r"\d{18}", text) is None


def test_save_matches_upserts_one_row_per_account(engine):
    res = {
        "platform": "x",
        "handle": "a",
        "nip": None,
        "probability": 0.2,
        "p_in_registry": 0.3,
        "status": "unmatched",
        "candidates": [],
        "other_odds": 0.0,
        "evidence": [],
    }
    with engine.begin() as conn:
        save_matches(conn, [res], 1, 0.8)
        save_matches(conn, [{**res, "probability": 0.4}], 2, 0.8)
    with engine.connect() as conn:
        rows = list(conn.execute(select(AccountMatch)))
    assert len(rows) == 1 and rows[0].probability == 0.4 and rows[0].registry_version == 2


def test_feedback_verdicts_are_checked(engine):
    with engine.begin() as conn, pytest.raises(ValueError, match="verdict"):
        record_feedback(conn, "x", "a", SRI_GURU, "maybe", "r")
