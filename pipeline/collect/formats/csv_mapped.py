"""CSV exports with a column mapping: Facebook, Instagram and TikTok posts only ever arrive as files
(CrowdTangle-style exports, research tools, spreadsheets), each with its own column names.

A mapping YAML names the platform and which column holds what; see ``configs/mappings/*.yaml``::

    platform: facebook
    date_format: "%Y-%m-%d %H:%M:%S"   # or iso (default), unix, unix_ms
    timezone: Asia/Jakarta             # for dates without an offset; default UTC
    columns:
      post_id: post_id
      text: message
      created_at: created_time
      author_handle: page_username
      likes: reactions
      author_bio: page_description?    # "?": optional, used when the file has it

A bad mapping (unknown key, missing required column, a column the CSV does not have) is a
:class:`pipeline.config.ConfigError` naming the mapping file and the key, before any row is read.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from pipeline.collect.text_utils import (
    bounded_id,
    clean_handle,
    clean_hashtag,
    extract_hashtags,
    extract_mentions,
)
from pipeline.config import PROJECT_ROOT, ConfigError, Section, parse_section, read_yaml
from pipeline.schema import PLATFORMS, Author, Metrics, Post, RecordError

from ._common import parse_unix

MAPPINGS_DIR = PROJECT_ROOT / "configs" / "mappings"

Platform = Literal["x", "telegram", "mastodon", "reddit", "facebook", "instagram", "tiktok", "other"]
assert set(Platform.__args__) == set(PLATFORMS)  # type: ignore[attr-defined]


class ColumnMap(Section):
    """Post field -> CSV column name. Only the first three are required."""

    post_id: str
    text: str
    created_at: str
    url: str | None = None
    language: str | None = None
    author_id: str | None = None
    author_handle: str | None = None
    author_display_name: str | None = None
    author_bio: str | None = None
    author_location: str | None = None
    author_followers: str | None = None
    replies: str | None = None
    reposts: str | None = None
    likes: str | None = None
    quotes: str | None = None
    views: str | None = None
    hashtags: str | None = None
    mentions: str | None = None
    links: str | None = None
    reply_to_id: str | None = None


class CsvMapping(Section):
    platform: Platform
    columns: ColumnMap
    date_format: str = "iso"
    timezone: str = "UTC"
    delimiter: str = Field(",", min_length=1, max_length=1)
    encoding: str = "utf-8"
    list_separator: str = Field(" ", min_length=1)  # between items of hashtags/mentions/links cells
    url_template: str | None = None  # e.g. https://www.tiktok.com/@{author_handle}/video/{post_id}
    source: str | None = None  # where the file came from, for collection_runs

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        _zone(value)
        return value

    @property
    def tz(self) -> tzinfo:
        return _zone(self.timezone)

    def bind(self, header: list[str], csv_name: str, mapping_name: str) -> CsvMapping:
        """The mapping for one CSV: every mapped column must exist in its header (a typo fails once,
        up front, not once per row), except optional ones written with a trailing ``?``
        (``author_bio: author_signature?``), which are dropped when the file lacks them."""
        present = set(header)
        bound: dict[str, str | None] = {}
        for key, column in self.columns.model_dump().items():
            if column is None:
                bound[key] = None
                continue
            name = column[:-1] if column.endswith("?") else column
            if name not in present:
                if column.endswith("?") and key not in ("post_id", "text", "created_at"):
                    bound[key] = None
                    continue
                shown = ", ".join(header[:20]) + (" ..." if len(header) > 20 else "")
                reason = f"column {name!r} is not in {csv_name} (columns: {shown})"
                raise ConfigError(mapping_name, f"columns.{key}", reason)
            bound[key] = name
        return self.model_copy(update={"columns": ColumnMap(**bound)})


_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$")


def _zone(name: str) -> tzinfo:
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    m = _OFFSET.match(name.strip())
    if m:
        delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
        return timezone(delta if m.group(1) == "+" else -delta)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use e.g. Asia/Jakarta or +07:00)") from None


def resolve_mapping_path(value: str | Path) -> Path:
    """A path, or a bare name from configs/mappings (``--map tiktok``)."""
    p = Path(value).expanduser()
    if p.exists() or p.suffix in (".yaml", ".yml") or "/" in str(value):
        return p
    return MAPPINGS_DIR / f"{value}.yaml"


def load_mapping(path: str | Path) -> CsvMapping:
    p = resolve_mapping_path(path)
    if not p.exists():
        raise ConfigError(str(p), "", "mapping file not found")
    data = read_yaml(p)
    if not isinstance(data, dict):
        raise ConfigError(str(p), "", "a mapping file must be a YAML mapping with platform and columns")
    return parse_section(CsvMapping, data, str(p))


# ----------------------------------------------------------------------------------------- values

_SUFFIX = {"k": 1_000, "rb": 1_000, "ribu": 1_000, "m": 1_000_000, "jt": 1_000_000, "juta": 1_000_000,
           "b": 1_000_000_000}  # fmt: skip
_COUNT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([a-zA-Z]+)?$")


def parse_count(value: str, name: str) -> int | None:
    """``1234``, ``1.234``/``1,234`` (thousands), ``1.2K``, ``3,4 rb``, ``2 jt`` (Indonesian) -> int."""
    s = value.strip()
    if not s or s in ("-", "N/A", "n/a", "null", "None"):
        return None
    if s.isdigit():
        return int(s)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", s):
        return int(re.sub(r"[.,]", "", s))
    m = _COUNT.match(s)
    if m and m.group(2) and m.group(2).lower() in _SUFFIX:
        number = float(m.group(1).replace(",", "."))
        return round(number * _SUFFIX[m.group(2).lower()])
    raise RecordError(name, f"not a count: {s[:40]!r}")


def parse_date(value: str, mapping: CsvMapping, name: str) -> datetime:
    s = value.strip()
    if not s:
        raise RecordError(name, "missing")
    fmt = mapping.date_format
    if fmt in ("unix", "unix_ms"):
        return parse_unix(s, name)
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00")) if fmt == "iso" else datetime.strptime(s, fmt)
    except ValueError:
        raise RecordError(name, f"date {s[:40]!r} does not match format {fmt!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=mapping.tz)
    return dt.astimezone(UTC).replace(tzinfo=None)


def _items(cell: str | None, sep: str, commas: bool = True) -> list[str]:
    """Split a list cell on ``sep`` (and on commas, except for links, which may contain them)."""
    if not cell:
        return []
    if commas:
        cell = cell.replace(",", sep)
    return [x for x in (p.strip() for p in cell.split(sep)) if x]


def parse_row(row: dict[str, Any], mapping: CsvMapping) -> Post:
    """One CSV row (as ``csv.DictReader`` gives it) to a Post, following ``mapping``."""
    cols = mapping.columns

    def cell(key: str) -> str | None:
        column = getattr(cols, key)
        if column is None:
            return None
        value = row.get(column)
        if value is None:
            return None
        value = value.strip() if isinstance(value, str) else str(value)
        return value or None

    post_id = cell("post_id")
    if not post_id:
        raise RecordError(cols.post_id, "missing post id")
    created = cell("created_at")
    if not created:
        raise RecordError(cols.created_at, "missing date")
    text = row.get(cols.text)
    if text is None:
        raise RecordError(cols.text, "missing")

    def count(key: str) -> int | None:
        value = cell(key)
        return parse_count(value, getattr(cols, key)) if value is not None else None

    handle = clean_handle(cell("author_handle"))
    sep = mapping.list_separator
    hashtags = [clean_hashtag(h) for h in _items(cell("hashtags"), sep)] if cols.hashtags else None
    mentions = [clean_handle(m) or "" for m in _items(cell("mentions"), sep)] if cols.mentions else None
    url = cell("url")
    if url is None and mapping.url_template:
        url = mapping.url_template.format(post_id=post_id, author_handle=handle or "")
    return Post(
        platform=mapping.platform,
        post_id=bounded_id(post_id),
        created_at=parse_date(created, mapping, cols.created_at),
        text=text,
        url=url,
        language=cell("language"),
        author=Author(
            platform_id=cell("author_id") or handle,
            handle=handle,
            display_name=cell("author_display_name"),
            bio=cell("author_bio"),
            location=cell("author_location"),
            followers=count("author_followers"),
        ),
        metrics=Metrics(
            replies=count("replies"),
            reposts=count("reposts"),
            likes=count("likes"),
            quotes=count("quotes"),
            views=count("views"),
        ),
        hashtags=hashtags if hashtags is not None else extract_hashtags(text),
        mentions=[m for m in mentions if m] if mentions is not None else extract_mentions(text),
        links=_items(cell("links"), sep, commas=False),
        reply_to_id=cell("reply_to_id"),
        raw={k: v for k, v in row.items() if k is not None and v not in (None, "")},
    )
