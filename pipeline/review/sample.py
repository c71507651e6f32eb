"""Fictional review data: posts, predictions and registry matches, for tests and for trying the app.

Everything here is invented (names, NIPs, handles, the election of ``configs/elections/demo.yaml``).
Registry rows go into the matching stage's own tables (``pipeline/store/tables/registry.py``).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select

from pipeline.schema import Author, Metrics, Post, utcnow
from pipeline.store.posts import upsert_posts
from pipeline.store.tables import ModelVersion, Prediction
from pipeline.store.tables import Post as PostRow
from pipeline.store.tables.registry import AccountMatch, AsnRecord, RegistryVersion

TEXTS = [
    ("support", "02", "Bismillah, 27 November coblos nomor 2 ya dulur, Pak Hendra sudah terbukti kerjanya "
     "#LanjutkanHendra"),
    ("oppose", "01", "yg milih paslon 01 siap2 nyesel 5 tahun, kerjanya cuma pencitraan"),
    ("neutral", None, "Bawaslu Kota gelar sosialisasi netralitas ASN menjelang Pilkada serentak"),
    ("neutral", None, "Ayo gunakan hak pilihmu 27 November, jangan golput!"),
    ("unrelated", None, "Alhamdulillah calon pengantin sudah fitting baju, tinggal nunggu hari H"),
    ("support", "Ratna / 03", "Hadir di deklarasi pemenangan Bu Ratna tadi malam, rame pol! salam tiga jari"),
    ("oppose", "Bambang", "Jangan mau dibohongi janji kosong Pak Bambang, rekam jejaknya buruk"),
    ("neutral", None, "Debat kedua cabup malam ini jam 19.00 di TVRI, simak visi misi ketiga paslon"),
    ("support", "HERA / 02", "Lanjutkan dua periode! HERA jilid 2 untuk Tanjung Sari #HERAJilid2"),
    ("support", "RAGA / 03", "Foto bareng Kak Ratna di posko, #03Bisa semangat tim!"),
]  # fmt: skip

PEOPLE = [
    ("budi_santoso88", "Budi Santoso", "198005122005011001", "Guru Ahli Muda", "Dinas Pendidikan"),
    ("sri.wahyuni_tj", "Sri Wahyuni", "198511032010012002", "Analis Kebijakan", "Bappeda"),
    ("agus_pns_ts", "Agus Prasetyo", "197907212003121003", "Camat", "Kecamatan Sari Utara"),
    ("dewi.lestari77", "Dewi Lestari", "199002142015032004", "Perawat Terampil", "RSUD Tanjung Sari"),
    ("rahmat_hidayat", "Rahmat Hidayat", "198212302009011005", "Kepala Seksi", "Dinas Perhubungan"),
    ("nurul.aini", "Nurul Aini", "199107082019032006", "Pranata Komputer", "Diskominfo"),
]


def add_model_version(conn: Connection, version: str, default: bool = True) -> None:
    conn.execute(
        ModelVersion.__table__.insert().values(
            version=version, path=f"models/{version}", backbone="demo", metrics={}, is_default=default,
            created_at=utcnow(), promoted_at=utcnow() if default else None,
        )
    )  # fmt: skip


def add_post(
    conn: Connection,
    post_id: str,
    text: str,
    handle: str,
    created_at: datetime,
    followers: int = 100,
    likes: int = 0,
    display_name: str | None = None,
    platform: str = "x",
) -> int:
    post = Post(
        platform=platform, post_id=post_id, created_at=created_at, text=text,
        url=f"https://example.invalid/{handle}/status/{post_id}",
        author=Author(
            platform_id=f"u-{handle}", handle=handle, display_name=display_name, followers=followers
        ),
        metrics=Metrics(likes=likes, reposts=likes // 3, replies=likes // 5), source="sample",
    )  # fmt: skip
    upsert_posts(conn, [post])
    t = PostRow.__table__
    return conn.scalar(select(t.c.id).where(t.c.platform == platform, t.c.post_id == post_id))


def add_prediction(
    conn: Connection,
    post_pk: int,
    model_version: str,
    stance: str,
    partisan_score: float,
    target: str | None = None,
    explanation: list[list[Any]] | None = None,
) -> None:
    rest = (1.0 - partisan_score) / 2
    if stance in ("support", "oppose"):
        other = "oppose" if stance == "support" else "support"
        scores = {
            stance: partisan_score * 0.9,
            other: partisan_score * 0.1,
            "neutral": rest,
            "unrelated": rest,
        }
    else:
        scores = {
            "support": partisan_score / 2,
            "oppose": partisan_score / 2,
            "neutral": rest,
            "unrelated": rest,
        }
        scores[stance] += rest / 2
        scores["neutral" if stance == "unrelated" else "unrelated"] -= rest / 2
    conn.execute(
        Prediction.__table__.insert().values(
            post_pk=post_pk, model_version=model_version, stance=stance, scores=scores,
            partisan=partisan_score >= 0.5, partisan_score=partisan_score, target=target,
            explanation=explanation, created_at=utcnow(),
        )
    )  # fmt: skip


def add_registry_version(conn: Connection, source: str = "sample-registry.csv") -> int:
    return conn.execute(
        RegistryVersion.__table__.insert().values(
            imported_at=utcnow(), source=source, file_sha256="0" * 64, n_read=0, n_records=0, n_added=0,
            n_removed=0, n_changed=0, n_rejected=0,
        )
    ).inserted_primary_key[0]  # fmt: skip


def _nip_dates(nip: str) -> tuple[date, date, str]:
    """Birth date, appointment (TMT CPNS) month and gender, as an 18-digit NIP encodes them."""
    birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    tmt = date(int(nip[8:12]), int(nip[12:14]), 1)
    return birth, tmt, "L" if nip[14] == "1" else "P"


def add_record(
    conn: Connection, nip: str, name: str, jabatan: str, instansi: str, registry_version: int | None = None
) -> None:
    version = registry_version or add_registry_version(conn)
    birth, tmt, gender = _nip_dates(nip)
    conn.execute(
        AsnRecord.__table__.insert().values(
            nip=nip, nama=name, gelar_depan=None, gelar_belakang="S.Pd." if "Guru" in jabatan else None,
            jabatan=jabatan, instansi=f"Pemerintah Kabupaten Tanjung Sari - {instansi}", unit_kerja=instansi,
            kabupaten_kota="Kabupaten Tanjung Sari", provinsi="Nusa Jaya", akun=None, birth_date=birth,
            tmt_cpns=tmt, gender=gender, row_hash=nip, valid_from=version,
        )
    )  # fmt: skip


EVIDENCE = [
    {"field": "name", "level": "exact", "strength": "strong", "weight": 4.1,
     "label": "display name equals the registry name",
     "label_id": "nama tampilan sama dengan nama di registri"},
    {"field": "bio", "level": "instansi", "strength": "moderate", "weight": 1.6,
     "label": "bio names the agency", "label_id": "bio menyebut instansi"},
]  # fmt: skip


def add_match(
    conn: Connection,
    handle: str,
    nip: str | None,
    probability: float,
    registry_version: int | None = None,
    platform: str = "x",
    evidence: list[dict[str, Any]] | None = None,
) -> None:
    conn.execute(
        AccountMatch.__table__.insert().values(
            platform=platform, handle=handle, nip=nip, probability=probability, threshold=0.8,
            p_in_registry=probability, status="matched" if nip and probability >= 0.8 else "ambiguous",
            candidates=[{"nip": nip, "probability": probability}] if nip else [], other_odds=0.0,
            evidence=EVIDENCE if evidence is None else evidence, registry_version=registry_version,
            profile_hash=None, matched_at=utcnow(),
        )
    )  # fmt: skip


def seed(engine: Engine, n_posts: int = 40, seed: int = 7, model_version: str = "demo-1") -> dict[str, int]:
    """A small fictional world: six civil servants (five matched confidently), one public figure, posts."""
    rng = random.Random(seed)
    base = datetime(2026, 11, 1, 8, 0)
    with engine.begin() as conn:
        add_model_version(conn, model_version)
        version = add_registry_version(conn)
        for i, (handle, name, nip, jabatan, instansi) in enumerate(PEOPLE):
            add_record(conn, nip, name, jabatan, instansi, version)
            add_match(conn, handle, nip, 0.97 if i < 5 else 0.55, version)
        add_match(conn, "warga_biasa", None, 0.0)
        handles = [p[0] for p in PEOPLE] + ["warga_biasa"]
        names = {p[0]: p[1] for p in PEOPLE}
        for i in range(n_posts):
            stance, target, text = TEXTS[i % len(TEXTS)]
            handle = handles[i % len(handles)]
            post_pk = add_post(
                conn, f"s{i:04d}", text, handle, base + timedelta(hours=7 * i),
                followers=rng.randint(10, 50_000), likes=rng.randint(0, 500), display_name=names.get(handle),
            )  # fmt: skip
            partisan = stance in ("support", "oppose")
            score = rng.uniform(0.6, 0.99) if partisan else rng.uniform(0.01, 0.4)
            words = [[w, round(rng.uniform(0.05, 0.9), 3)] for w in text.split()[:6]]
            add_prediction(conn, post_pk, model_version, stance, score, target if partisan else None, words)
    return {"posts": n_posts, "accounts": len(handles)}


def make_users(engine: Engine, n: int, role: str = "reviewer", prefix: str = "rev") -> list[Any]:
    """``n`` accounts named ``{prefix}01``... with password ``{name}-password``; returns their Actors."""
    from .auth import create_user
    from .decisions import Actor

    actors = []
    for i in range(1, n + 1):
        name = f"{prefix}{i:02d}"
        user_id = create_user(engine, name, f"{name}-password", role=role, display_name=name.title())
        actors.append(Actor(user_id, name, role))
    return actors
