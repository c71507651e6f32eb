"""Field readers shared by the format parsers: each raises RecordError naming the field it read.

Kept deliberately small and fast: a file import calls these a few dozen times per post.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pipeline.schema import RecordError, to_utc


def need_dict(record: Any, name: str = "record") -> dict[str, Any]:
    if not isinstance(record, dict):
        raise RecordError(name, f"expected a JSON object, got {type(record).__name__}")
    return record


def opt_dict(record: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordError(key, f"expected an object, got {type(value).__name__}")
    return value


def opt_list(record: dict[str, Any], key: str) -> list[Any]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(key, f"expected a list, got {type(value).__name__}")
    return value


def opt_str(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise RecordError(name, f"expected text, got {type(value).__name__}")


def req_str(record: dict[str, Any], key: str, name: str | None = None) -> str:
    value = record.get(key)
    if value is None or value == "":
        raise RecordError(name or key, "missing")
    if not isinstance(value, str):
        raise RecordError(name or key, f"expected text, got {type(value).__name__}")
    return value


def req_id(value: Any, name: str) -> str:
    """An identifier as text: ints stay exact (orjson reads 64-bit ids without float rounding)."""
    if value is None or value == "":
        raise RecordError(name, "missing")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RecordError(name, f"expected an id, got {type(value).__name__}")
    return str(value)


def opt_id(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    return req_id(value, name)


def opt_int(value: Any, name: str) -> int | None:
    """A count: ints, integral floats and digit strings; anything else is a RecordError."""
    if value is None:
        return None
    if type(value) is int:
        return value
    if isinstance(value, bool):
        raise RecordError(name, "expected a number, got a boolean")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        s = value.strip()
        if s.isdigit():
            return int(s)
        if s == "":
            return None
    raise RecordError(name, f"expected a whole number, got {value!r}"[:200])


def parse_iso(value: Any, name: str) -> datetime:
    """ISO-8601 with ``T`` or a space (twscrape), ``Z`` or an offset; naive UTC out."""
    if type(value) is str and value.endswith("+00:00"):  # the usual case: skip the time-zone dance
        try:
            return datetime.fromisoformat(value[:-6])
        except ValueError:
            pass
    if not isinstance(value, str) or not value:
        raise RecordError(name, "missing" if value in (None, "") else f"expected a date, got {value!r}")
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(name, f"not an ISO date: {value[:40]!r}") from None
    if dt.tzinfo is not None:
        dt = to_utc(dt)
    return dt


def parse_unix(value: Any, name: str) -> datetime:
    """Seconds (or milliseconds, when implausibly large) since the epoch; naive UTC out."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise RecordError(name, f"not a Unix time: {value!r}"[:200]) from None
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise RecordError(name, f"Unix time out of range: {value!r}") from None
