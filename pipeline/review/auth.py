"""Accounts, passwords, login rate limiting and CSRF tokens for the review app.

Passwords are hashed with Argon2id (argon2-cffi's defaults, the current OWASP recommendation) and
re-hashed on login when those parameters change. A login for an unknown user still runs one hash, so
response time does not reveal which usernames exist.

Login attempts are rate-limited **in memory**, per (client IP, username) and per client IP, over a
sliding minute. That is enough for ``netra review serve`` (one process); a deployment with several
worker processes multiplies the allowance by the number of workers and should rate-limit at its
reverse proxy as well.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from pipeline.schema import utcnow
from pipeline.store.tables import User

from . import audit
from .decisions import Actor

USERS = User.__table__
ROLES = ("reviewer", "lead", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,79}$")
MIN_PASSWORD = 10

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("netra-timing-equaliser")


class AccountError(ValueError):
    """A username, password or role that cannot be used; the message says why."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password must have at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def create_user(
    engine: Engine,
    username: str,
    password: str,
    role: str = "reviewer",
    display_name: str | None = None,
    actor: str = "system:cli",
) -> int:
    """Add an account; raises AccountError for a bad name, short password, unknown role or a duplicate."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("username: 2-80 characters, lower-case letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    values = {
        "username": username,
        "display_name": display_name,
        "password_hash": hash_password(password),
        "role": role,
        "active": True,
        "created_at": utcnow(),
    }
    try:
        with engine.begin() as conn:
            user_id = conn.execute(USERS.insert().values(**values)).inserted_primary_key[0]
            audit.log(
                conn, actor, "create", "user", entity_id=user_id,
                after={"username": username, "role": role, "display_name": display_name},
            )  # fmt: skip
    except IntegrityError as exc:
        raise AccountError(f"user {username!r} already exists") from exc
    return int(user_id)


def set_password(engine: Engine, username: str, password: str, actor: str = "system:cli") -> None:
    new_hash = hash_password(password)
    with engine.begin() as conn:
        row = conn.execute(select(USERS.c.id).where(USERS.c.username == username)).first()
        if row is None:
            raise AccountError(f"no user {username!r}")
        conn.execute(update(USERS).where(USERS.c.id == row.id).values(password_hash=new_hash))
        audit.log(conn, actor, "set_password", "user", entity_id=row.id, after={"username": username})


def authenticate(engine: Engine, username: str, password: str) -> Actor | None:
    """The user if the password is right and the account active; None otherwise (same time either way)."""
    username = (username or "").strip().lower()
    with engine.connect() as conn:
        row = conn.execute(select(USERS).where(USERS.c.username == username)).first()
    stored = row.password_hash if row is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    values = {"last_login_at": utcnow()}
    if _hasher.check_needs_rehash(stored):
        values["password_hash"] = _hasher.hash(password)
    with engine.begin() as conn:
        conn.execute(update(USERS).where(USERS.c.id == row.id).values(**values))
    return Actor(row.id, row.username, row.role)


def load_actor(engine: Engine, user_id: int) -> tuple[Actor, dict] | None:
    """The active user with this id and their row (display name, language), or None."""
    with engine.connect() as conn:
        row = conn.execute(select(USERS).where(USERS.c.id == user_id, USERS.c.active.is_(True))).first()
    if row is None:
        return None
    return Actor(row.id, row.username, row.role), dict(row._mapping)


def list_users(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(USERS).order_by(USERS.c.username)).all()
    return [{k: v for k, v in r._mapping.items() if k != "password_hash"} for r in rows]


# --- login rate limiting ------------------------------------------------------------------------


@dataclass
class RateLimiter:
    """Sliding-window counter of login attempts, kept in this process's memory (see module doc)."""

    per_minute: int
    window: float = 60.0
    ip_factor: int = 4  # one address may try this many times more across different usernames

    def __post_init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _check(self, key: str, limit: int, now: float) -> float:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= limit:
            return hits[0] + self.window - now
        return 0.0

    def attempt(self, ip: str, username: str, now: float | None = None) -> float:
        """Count one attempt; returns 0 when allowed, else the seconds to wait (nothing counted)."""
        now = time.monotonic() if now is None else now
        user_key, ip_key = f"u:{ip}:{username.strip().lower()}", f"ip:{ip}"
        with self._lock:
            wait = max(
                self._check(user_key, self.per_minute, now),
                self._check(ip_key, self.per_minute * self.ip_factor, now),
            )
            if wait > 0:
                return wait
            self._hits[user_key].append(now)
            self._hits[ip_key].append(now)
            if len(self._hits) > 10_000:  # forget idle keys so memory stays bounded
                for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                    del self._hits[key]
        return 0.0


# --- CSRF ---------------------------------------------------------------------------------------


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """Session-bound token check, constant time; a missing token on either side fails."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
