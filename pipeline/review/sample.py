"""Fictional review data: posts, predictions and registry matches, for tests and for trying the app.

Everything here is invented (names, NIPs, handles, the election of ``configs/elections/demo.yaml``).
The registry rows are written by reflection into the matching stage's own tables, so this module
follows whatever columns that stage declares and fills the contract's columns.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, select

from pipeline.schema import Author, Metrics, Post, utcnow
from pipeline.store.posts import upsert_posts
from pipeline.store.tables import ModelVersion, Prediction
from pipeline.store.tables import Post as PostRow

from .sources import MATCHES_TABLE, RECORDS_TABLE

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


def _table(conn: Connection, name: str) -> Table:
    return Table(name, MetaData(), autoload_with=conn)


def _fill(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Keep the values the table has columns for; give required columns we know nothing of a blank."""
    out = {k: v for k, v in values.items() if k in table.c}
    for col in table.c:
        if col.name in out or col.nullable or col.primary_key or col.server_default is not None:
            continue
        try:
            kind = col.type.python_type
        except NotImplementedError:
            kind = dict
        blanks = {int: 0, float: 0.0, bool: False, str: "", list: []}
        out[col.name] = utcnow() if kind is datetime else blanks.get(kind, {})
    return out


def add_match(
    conn: Connection,
    handle: str,
    nip: str | None,
    probability: float,
    registry_version: Any = 1,
    platform: str = "x",
    evidence: dict[str, Any] | None = None,
) -> None:
    table = _table(conn, MATCHES_TABLE)
    values = {
        "platform": platform, "handle": handle, "nip": nip, "probability": probability,
        "candidates": [{"nip": nip, "probability": probability}] if nip else [],
        "evidence": evidence or {"name": "display name matches", "bio": "instansi named in bio"},
        "registry_version": registry_version, "matched_at": utcnow(),
    }  # fmt: skip
    conn.execute(table.insert().values(**_fill(table, values)))


def add_record(
    conn: Connection, nip: str, name: str, jabatan: str, instansi: str, registry_version: Any = 1
) -> None:
    table = _table(conn, RECORDS_TABLE)
    values = {
        "nip": nip, "name": name, "names": name, "nama": name, "titles": None, "jabatan": jabatan,
        "instansi": instansi, "unit_kerja": instansi, "kabupaten_kota": "Kabupaten Tanjung Sari",
        "provinsi": "Nusa Jaya", "registry_version": registry_version,
    }  # fmt: skip
    conn.execute(table.insert().values(**_fill(table, values)))


def seed(engine: Engine, n_posts: int = 40, seed: int = 7, model_version: str = "demo-1") -> dict[str, int]:
    """A small fictional world: six civil servants (five matched confidently), one public figure, posts."""
    rng = random.Random(seed)
    base = datetime(2026, 11, 1, 8, 0)
    with engine.begin() as conn:
        add_model_version(conn, model_version)
        for i, (handle, name, nip, jabatan, instansi) in enumerate(PEOPLE):
            add_record(conn, nip, name, jabatan, instansi)
            add_match(conn, handle, nip, 0.97 if i < 5 else 0.55)
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


def ensure_registry_tables(engine: Engine) -> None:
    """TEMPORARY, tests only: the registry contract's two tables, until the matching stage ships them.

    A no-op when the tables exist (as they will once the registry migration is in the store).
    """
    from sqlalchemy import JSON, Column, DateTime, Float, Integer, String, Text, inspect

    if inspect(engine).has_table(MATCHES_TABLE):
        return
    md = MetaData()
    Table(
        MATCHES_TABLE, md, Column("id", Integer, primary_key=True), Column("platform", String(20)),
        Column("handle", String(200)), Column("nip", String(32)), Column("probability", Float),
        Column("candidates", JSON), Column("evidence", JSON), Column("registry_version", Integer),
        Column("matched_at", DateTime),
    )  # fmt: skip
    Table(
        RECORDS_TABLE, md, Column("id", Integer, primary_key=True), Column("nip", String(32)),
        Column("name", Text), Column("jabatan", Text), Column("instansi", Text), Column("unit_kerja", Text),
        Column("kabupaten_kota", Text), Column("provinsi", Text), Column("registry_version", Integer),
    )  # fmt: skip
    md.create_all(engine)
