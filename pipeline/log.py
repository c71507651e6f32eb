"""Logging: readable lines on the terminal, one JSON object per line in the log file.

Registry data is personal data: never pass NIPs or full names to INFO or above. Use
:func:`redact` for anything that might carry them when a message must mention a record.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import orjson

_NIP = re.compile(r"\b\d{18}\b")


def redact(text: str) -> str:
    """Mask anything shaped like a NIP (18 digits), keeping the first four for debugging."""
    return _NIP.sub(lambda m: m.group(0)[:4] + "*" * 14, text)


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key in ("stage", "run_id", "source", "count"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(payload, default=str).decode()


def setup_logging(level: str = "INFO", file: str | Path | None = None, verbose: bool = False) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.DEBUG if verbose else getattr(logging, level))
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    if file:
        path = Path(file)
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(JsonLineFormatter())
        root.addHandler(handler)
    for noisy in ("httpx", "httpcore", "urllib3", "alembic", "filelock", "datasets", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
