"""File imports: ``netra collect file PATH`` for everything that arrives as a file.

What a file holds is read from its content, not its name (``--format auto``):

========================  ==============================================================
container                 detected by
========================  ==============================================================
JSONL (one record/line)   the first line is a complete JSON object
JSON array                starts with ``[`` (loaded whole: such files are small API dumps)
JSON object               ``result.json`` of a Telegram Desktop export, or one API status
CSV                       anything else that is text; needs a column mapping (csv_mapped)
========================  ==============================================================

and the records inside by their fields: snscrape's ``_type``; twscrape's ``bookmarkedCount``/``id_str``
or space-separated dates on a Tweet; Mastodon's ``account`` + ``created_at``; Telegram's ``messages``.
Gzipped files (``.gz``) are read transparently.

JSONL streams line by line (orjson), so memory stays flat on any size. A line that is not JSON or not
a valid record goes to the run's rejects file with file, line number, field and reason; the good lines
are stored. A file that cannot be read at all (missing, binary, not UTF-8, unknown format) raises
:class:`UnreadableFile` naming it; in a directory import that file is reported and the others go on.
"""

from __future__ import annotations

import codecs
import csv
import gc
import gzip
import io
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from pipeline.config import ConfigError
from pipeline.schema import Post, RecordError

from .formats import FORMATS, CsvMapping, load_mapping
from .formats.csv_mapped import parse_row
from .formats.mastodon import parse_status
from .formats.snscrape import TWEET, parse_snscrape
from .formats.telegram_export import is_export, is_service, iter_messages, parse_message
from .formats.twscrape import looks_like_twscrape, parse_twscrape
from .sink import PostSink, SinkCounts

log = logging.getLogger(__name__)

SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt")
IGNORE_MARKER = ".netraignore"  # a folder holding this file is skipped by directory imports
SNIFF_BYTES = 64 * 1024
PROGRESS_EVERY = 1 << 20  # report progress every MiB, not every line

Progress = Callable[[int], None]  # called with the number of (on-disk) bytes consumed since last call


class UnreadableFile(Exception):
    """A file that cannot be imported at all. ``missing`` distinguishes "no such file" (EX_NOINPUT)
    from unreadable content (EX_DATAERR)."""

    def __init__(self, path: str | Path, reason: str, missing: bool = False) -> None:
        self.path, self.reason, self.missing = str(path), reason, missing
        super().__init__(f"{path}: {reason}")


class NoMapping(ConfigError):
    """A CSV file without a column mapping. Named on its own: a directory import passes over such
    files (other CSVs, like a registry export, may live next to the posts) instead of failing."""


@dataclass
class FileResult:
    path: str
    format: str | None = None
    read: int = 0
    stored: int = 0
    updated: int = 0
    rejected: int = 0
    skipped: int = 0
    error: str | None = None  # could not be read at all (the import goes on with the other files)
    note: str | None = None  # passed over on purpose (a CSV without a mapping in a folder import)


@dataclass
class ImportSummary:
    counts: SinkCounts
    files: list[FileResult] = field(default_factory=list)
    run_id: int | None = None
    status: str | None = None
    rejects_path: str | None = None

    @property
    def failed_files(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    @property
    def partial(self) -> bool:
        return bool(self.counts.rejected or self.failed_files)


# ------------------------------------------------------------------------------------------ files


def list_files(path: Path) -> list[Path]:
    """Supported files under ``path``, sorted; skips hidden entries and folders marked .netraignore."""
    if path.is_file():
        return [path]
    found: list[Path] = []
    for root, dirs, names in os.walk(path):
        here = Path(root)
        if here != path and IGNORE_MARKER in names:
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            base = name[:-3] if name.endswith(".gz") else name
            if base.endswith(SUFFIXES) and not base.endswith(".mapping.yaml"):
                found.append(here / name)
    return found


@dataclass
class _Opened:
    stream: IO[bytes]
    raw: IO[bytes]  # the file on disk, whose position drives the progress bar
    gzipped: bool


def _open(path: Path) -> _Opened:
    if not path.exists():
        raise UnreadableFile(path, "no such file or directory", missing=True)
    if not path.is_file():
        raise UnreadableFile(path, "not a regular file")
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise UnreadableFile(path, f"cannot open ({exc.strerror or exc})", missing=True) from exc
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return _Opened(io.BufferedReader(gzip.GzipFile(fileobj=raw), buffer_size=1 << 20), raw, True)  # type: ignore[arg-type]
    return _Opened(io.BufferedReader(raw, buffer_size=1 << 20), raw, False)  # type: ignore[arg-type]


def _sniff(path: Path, opened: _Opened) -> bytes:
    """The first bytes, checked: not binary, valid UTF-8 (a cut multi-byte character at the end is fine)."""
    try:
        head = opened.stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]  # type: ignore[attr-defined]
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise UnreadableFile(path, f"cannot read ({exc})") from exc
    if b"\x00" in head:
        raise UnreadableFile(path, "binary file (contains NUL bytes), not JSON or CSV")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            path, f"not UTF-8 text (bad byte at offset {exc.start}); re-save it as UTF-8"
        ) from None
    return head


def detect_record(record: Any) -> str | None:
    """Which parser a decoded record needs, from its fields; None when nothing fits."""
    if not isinstance(record, dict):
        return None
    kind = record.get("_type")
    if isinstance(kind, str):
        if kind == TWEET and looks_like_twscrape(record):
            return "twscrape"
        if kind.startswith("snscrape.modules."):
            return "snscrape"
    if "account" in record and "created_at" in record:
        return "mastodon"
    if is_export(record):
        return "telegram-export"
    return None


def _container(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        return "empty"
    if text[:1] == b"[":
        return "json-array"
    if text[:1] == b"{":
        first = text.split(b"\n", 1)[0]
        try:
            orjson.loads(first)
            return "jsonl"
        except orjson.JSONDecodeError:
            return "json-document"
    return "csv"


def _detect_jsonl(path: Path, head: bytes) -> str:
    for line in head.split(b"\n")[:200]:
        try:
            fmt = detect_record(orjson.loads(line))
        except orjson.JSONDecodeError:
            continue
        if fmt:
            return fmt
    raise UnreadableFile(
        path,
        "unknown JSON records: no snscrape `_type`, Mastodon `account`+`created_at` or Telegram "
        "`messages` in the first lines; pass --format if you know it",
    )


# ---------------------------------------------------------------------------------------- readers

_PARSERS: dict[str, Callable[[dict[str, Any]], Post]] = {
    "snscrape": parse_snscrape,
    "twscrape": parse_twscrape,
    "mastodon": parse_status,
}
_BUG_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError)


class _Reader:
    """Reads one file into the sink; counts per file; reports progress in on-disk bytes."""

    def __init__(self, path: Path, sink: PostSink, progress: Progress | None, source: str | None) -> None:
        self.path = path
        self.sink = sink
        self.progress = progress
        self.source = source
        self.name = str(path)
        self.format: str | None = None
        self._reported = 0

    def _tick(self, opened: _Opened, force: bool = False) -> None:
        if self.progress is None:
            return
        try:
            pos = opened.raw.tell()
        except (OSError, ValueError):
            return
        if force or pos - self._reported >= PROGRESS_EVERY:
            self.progress(pos - self._reported)
            self._reported = pos

    def _add(self, post: Post) -> None:
        if self.source is not None:
            post.source = self.source
        self.sink.add(post)

    def _parse(self, parser: Callable[..., Post], record: Any, raw: Any, line: int | None,
               item: int | None = None, *args: Any) -> None:  # fmt: skip
        try:
            post = parser(record, *args)
        except RecordError as exc:
            self.sink.reject(exc.field, exc.reason, raw=raw, file=self.name, line=line, item=item)
        except _BUG_ERRORS as exc:  # a record shaped in a way no parser expected: set aside, go on
            log.debug("unexpected record shape in %s line %s", self.name, line, exc_info=True)
            reason = f"unexpected record shape ({exc.__class__.__name__}: {exc})"[:300]
            self.sink.reject("record", reason, raw=raw, file=self.name, line=line, item=item)
        else:
            self._add(post)

    def jsonl(self, opened: _Opened, fmt: str) -> None:
        parser = _PARSERS.get(fmt)
        if parser is None:
            raise UnreadableFile(self.path, f"format {fmt!r} is not line-based JSON")
        loads, sink, name, add = orjson.loads, self.sink, self.name, self._add
        tick_every = 4096
        for lineno, line in enumerate(opened.stream, 1):
            try:
                record = loads(line)
            except orjson.JSONDecodeError as exc:
                if line.strip():
                    sink.reject("json", f"invalid JSON: {exc}", raw=line, file=name, line=lineno)
                continue
            try:
                post = parser(record)
            except RecordError as exc:
                sink.reject(exc.field, exc.reason, raw=line, file=name, line=lineno)
            except _BUG_ERRORS:
                self._parse(parser, record, line, lineno)  # redo slowly for the full error report
            else:
                add(post)
            if not lineno % tick_every:
                self._tick(opened)

    def json_document(self, opened: _Opened, fmt: str) -> None:
        try:
            doc = orjson.loads(opened.stream.read())  # whole-file JSON: loaded at once (see module doc)
        except orjson.JSONDecodeError as exc:
            raise UnreadableFile(self.path, f"invalid JSON ({exc})") from None
        if fmt == "auto":
            if is_export(doc):
                fmt = "telegram-export"
            elif isinstance(doc, list):
                fmt = next((f for f in map(detect_record, doc[:200]) if f), None) or "unknown"
            else:
                fmt = detect_record(doc) or "unknown"
            if fmt == "unknown":
                raise UnreadableFile(self.path, "unknown JSON content; pass --format if you know it")
        self.format = fmt
        if fmt == "telegram-export":
            if not is_export(doc):
                raise UnreadableFile(self.path, "not a Telegram Desktop export (no `messages` or `chats`)")
            for chat, message in iter_messages(doc):
                if is_service(message):
                    self.sink.skip()
                    continue
                item = message.get("id") if isinstance(message, dict) else None
                self._parse(parse_message, message, message, None, item, chat)
            return
        parser = _PARSERS.get(fmt)
        if parser is None:
            raise UnreadableFile(self.path, f"format {fmt!r} does not read JSON")
        items = doc if isinstance(doc, list) else [doc]
        for i, record in enumerate(items, 1):
            self._parse(parser, record, record, None, i)

    def csv(self, opened: _Opened, mapping: CsvMapping, mapping_name: str) -> None:
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        encoding = (
            "utf-8-sig"
            if mapping.encoding.lower().replace("_", "-") in ("utf-8", "utf8")
            else mapping.encoding
        )
        text = io.TextIOWrapper(opened.stream, encoding=encoding, newline="", errors="strict")
        reader = csv.reader(text, delimiter=mapping.delimiter)
        try:
            header = next(reader, None)
        except UnicodeDecodeError as exc:
            raise UnreadableFile(self.path, f"not {mapping.encoding} text ({exc.reason})") from None
        if not header:
            return
        header = [h.strip() for h in header]
        mapping = mapping.bind(header, self.path.name, mapping_name)
        width = len(header)
        row_no = 0
        while True:
            start_line = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError as exc:
                raise UnreadableFile(self.path, f"not {mapping.encoding} text after line {start_line} "
                                                f"({exc.reason})") from None  # fmt: skip
            except csv.Error as exc:
                self.sink.reject("csv", str(exc), raw=None, file=self.name, line=start_line)
                continue
            row_no += 1
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            raw_line = mapping.delimiter.join(values)
            if len(values) != width:
                self.sink.reject("csv", f"row has {len(values)} fields, the header has {width}",
                                 raw=raw_line, file=self.name, line=start_line)  # fmt: skip
                continue
            row = dict(zip(header, values, strict=True))
            self._parse(parse_row, row, raw_line, start_line, None, mapping)
            if not row_no % 2048:
                self._tick(opened)


def _mapping_for(path: Path, mapping: str | Path | CsvMapping | None) -> tuple[CsvMapping, str]:
    if isinstance(mapping, CsvMapping):
        return mapping, "mapping"
    if mapping is not None:
        return load_mapping(mapping), str(mapping)
    base = path.name[:-3] if path.name.endswith(".gz") else path.name
    for candidate in (
        path.with_name(base + ".mapping.yaml"),
        path.with_name(Path(base).stem + ".mapping.yaml"),
    ):
        if candidate.exists():
            return load_mapping(candidate), str(candidate)
    raise NoMapping(
        str(path), "", f"a CSV file needs a column mapping: pass --map (a YAML file, or a name from "
        f"configs/mappings such as facebook) or put {Path(base).stem}.mapping.yaml next to it",
    )  # fmt: skip


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while reading: parsing allocates millions of small dicts
    and no cycles, so the collector's frequent passes cost ~20% of import time and free nothing
    (reference counting still frees every record as soon as it is stored)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_file(path: Path, sink: PostSink, format: str = "auto",
              mapping: str | Path | CsvMapping | None = None, progress: Progress | None = None,
              source: str | None = None) -> FileResult:  # fmt: skip
    """Import one file into an open sink; returns its counts. Raises UnreadableFile or ConfigError."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; one of {', '.join(FORMATS)}")
    before = SinkCounts(**sink.counts.as_dict())
    opened = _open(path)
    reader = _Reader(path, sink, progress, source)
    result = FileResult(path=str(path))
    try:
        head = _sniff(path, opened)
        container = _container(head)
        if format == "csv" or (format == "auto" and container == "csv"):
            result.format = "csv"
            cfg, name = _mapping_for(path, mapping)
            reader.csv(opened, cfg, name)
        elif container == "empty":
            result.format = format if format != "auto" else "empty"
        elif container == "jsonl" and format != "telegram-export":
            result.format = _detect_jsonl(path, head) if format == "auto" else format
            with _gc_paused():
                reader.jsonl(opened, result.format)
        elif container == "csv":
            raise UnreadableFile(path, f"expected JSON for --format {format}, found text that is not JSON")
        else:
            reader.format = format
            reader.json_document(opened, format)
            result.format = reader.format
        reader._tick(opened, force=True)
        sink.flush()  # so that this file's stored/updated counts are its own
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise UnreadableFile(path, f"read error ({exc})") from exc
    finally:
        opened.stream.close()
        opened.raw.close()
    after = sink.counts
    result.read = after.read - before.read
    result.stored, result.updated = after.stored - before.stored, after.updated - before.updated
    result.rejected, result.skipped = after.rejected - before.rejected, after.skipped - before.skipped
    return result


def total_bytes(files: list[Path]) -> int:
    return sum(p.stat().st_size for p in files if p.exists())


def import_file(
    path: str | Path,
    format: str = "auto",
    mapping: str | Path | CsvMapping | None = None,
    *,
    engine: Any = None,
    settings: Any = None,
    source: str | None = None,
    progress: Progress | None = None,
    on_files: Callable[[list[Path]], None] | None = None,
) -> ImportSummary:
    """Import a file, or every supported file under a folder, as one collection run.

    ``engine``/``settings`` default to the configured store. ``source`` names the run and each post's
    source (default: the path). A single unreadable file raises :class:`UnreadableFile`; inside a
    folder it is recorded in the summary (``files[i].error``) and the import goes on.
    ``on_files`` receives the file list before reading (the CLI sizes its progress bar with it).
    """
    from pipeline.config import load_settings

    path = Path(path)
    settings = settings or load_settings()
    if engine is None:
        from pipeline.store import open_store

        engine = open_store(settings.database_url)
    if not path.exists():
        raise UnreadableFile(path, "no such file or directory", missing=True)
    files = list_files(path)
    if path.is_dir() and not files:
        kinds = ", ".join(SUFFIXES)
        raise UnreadableFile(
            path, f"no supported files ({kinds}, optionally .gz) in this folder", missing=True
        )
    if isinstance(mapping, str | Path):
        mapping = load_mapping(mapping)  # fail on a bad mapping before anything is read
    if on_files:
        on_files(files)
    summary = ImportSummary(counts=SinkCounts())
    sink = PostSink.from_settings(engine, settings, source=source or str(path), kind="file", background=True)
    with sink:
        for file in files:
            file_source = source or _display(file)
            if path.is_file():
                summary.files.append(read_file(file, sink, format, mapping, progress, file_source))
                continue
            try:
                summary.files.append(read_file(file, sink, format, mapping, progress, file_source))
            except NoMapping as exc:
                log.info("passed over %s", exc)
                note = "no column mapping: not read"
                summary.files.append(FileResult(path=str(file), format="csv", note=note))
                if progress:
                    progress(file.stat().st_size)
            except (UnreadableFile, ConfigError) as exc:
                log.info("skipped %s", exc)
                summary.files.append(FileResult(path=str(file), error=str(exc)))
                if progress:
                    progress(file.stat().st_size if file.exists() else 0)
        sink.flush()
    summary.counts = sink.counts
    summary.run_id = sink.run_id_
    summary.status = "partial" if summary.failed_files and sink.status_ == "ok" else sink.status_
    if summary.status != sink.status_ and summary.run_id is not None:
        from pipeline.store.posts import finish_run

        errors = "; ".join(f.error or "" for f in summary.failed_files)[:2000]
        with engine.begin() as conn:
            finish_run(conn, summary.run_id, summary.status, error=errors)
    summary.rejects_path = str(sink.rejects_path_) if sink.rejects_path_ else None
    return summary


def _display(path: Path) -> str:
    """The path as the user would write it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))[:200]
    except ValueError:
        return str(path)[-200:]


def iter_records(path: str | Path) -> Iterator[Any]:
    """Decoded records of a JSONL file (plain or gzipped), for scripts and notebooks."""
    opened = _open(Path(path))
    try:
        for line in opened.stream:
            if line.strip():
                yield orjson.loads(line)
    finally:
        opened.stream.close()
        opened.raw.close()
