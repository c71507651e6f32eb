"""One scan at a time, with a lock that a crashed scan cannot leave stuck.

Nothing is written to mark the lock as taken, so there is nothing to clean up after a crash:
- SQLite stores: an exclusive ``flock`` on a file beside the database; the kernel drops it when the
  process dies, however it dies.
- PostgreSQL stores: a session-level advisory lock on a dedicated connection; the server drops it
  when that connection closes, which it does when the process dies. This also serialises scans
  started on different machines against the same database.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from sqlalchemy import Connection, Engine, text

# Arbitrary but fixed: pg advisory locks are keyed by a bigint.
ADVISORY_KEY = 0x6E657472  # "netr"


class ScanLocked(RuntimeError):
    """Another scan holds the lock."""


class ScanLock:
    def __init__(self, engine: Engine, lock_dir: Path | None = None) -> None:
        self.engine = engine
        self.lock_dir = lock_dir
        self._fd: int | None = None
        self._conn: Connection | None = None

    def _lock_path(self) -> Path:
        database = self.engine.url.database
        if self.lock_dir is not None:
            return self.lock_dir / "scan.lock"
        if database and database != ":memory:":
            return Path(database).with_suffix(Path(database).suffix + ".scan.lock")
        return Path("var") / "scan.lock"

    def acquire(self) -> ScanLock:
        if self.engine.dialect.name == "postgresql":
            conn = self.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
            conn.commit()
            if not got:
                conn.close()
                raise ScanLocked("another scan is running against this PostgreSQL database")
            self._conn = conn
            return self
        path = self._lock_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise ScanLocked(f"another scan is running (lock held on {path})") from exc
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._conn is not None:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            self._conn.commit()
            self._conn.close()
            self._conn = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ScanLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
