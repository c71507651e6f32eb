"""The store: tables, migrations and queries shared by every stage."""

from .db import make_engine, open_store, session_factory, transaction, upgrade

__all__ = ["make_engine", "open_store", "session_factory", "transaction", "upgrade"]
