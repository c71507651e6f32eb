"""Shared fixtures. ``store_url`` runs a test against SQLite and PostgreSQL alike.

PostgreSQL tests use a fresh schema per test on NETRA_TEST_POSTGRES_URL (default: the local server
at 127.0.0.1:5432, database ``test``) and are skipped with a reason when it cannot be reached,
except in CI (``CI=true``) where an unreachable server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("NETRA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means "not here"
        return f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}"


@pytest.fixture(scope="session")
def pg_base_url() -> str:
    reason = _pg_available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return PG_URL


@pytest.fixture
def pg_url(pg_base_url: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh, empty schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_base_url else "?"
    yield f"{pg_base_url}{sep}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'netra.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(store_url: str):
    from pipeline.store import open_store

    eng = open_store(store_url)
    yield eng
    eng.dispose()
