"""The scan's collect stage: file drops (each file once per content) and the enabled live sources.

A file's SHA-256 is its cursor (``source_cursors``: source = the drop's name, key = the file's path),
written only after the file's posts are committed. A file that changes is imported again (an upsert:
new posts stored, known ones refreshed); an unchanged file costs one hash and nothing else.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from pipeline.config import PROJECT_ROOT, ConfigError, Settings

from .cursors import get_cursors, set_cursor
from .files import NoMapping, UnreadableFile, import_file, list_files
from .sources import FileSource, load_sources

log = logging.getLogger(__name__)

DEMO_SOURCE = FileSource(name="demo", enabled=True, path="data/demo")


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _key(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path.resolve())


def import_drop(settings: Settings, engine: Engine, drop: FileSource) -> dict[str, Any]:
    """Import the new or changed files of one drop folder; returns counts."""
    root = settings.path(drop.path)
    counts = {"files": 0, "files_unchanged": 0, "read": 0, "stored": 0, "updated": 0, "rejected": 0,
              "failed_files": 0, "passed_over": 0}  # fmt: skip
    if not root.exists():
        log.warning("file source %s: %s does not exist", drop.name, root)
        counts["failed_files"] += 1
        return counts
    seen = get_cursors(engine, drop.name)
    mapping = str(settings.path(drop.mapping)) if drop.mapping else None
    for path in list_files(root):
        key, digest = _key(path), file_digest(path)
        if seen.get(key) == digest:
            counts["files_unchanged"] += 1
            continue
        try:
            summary = import_file(path, drop.format, mapping, engine=engine, settings=settings,
                                  source=f"{drop.name}:{path.name}")  # fmt: skip
        except NoMapping:
            counts["passed_over"] += 1  # a CSV that is not posts (e.g. a registry export); as `collect file`
            continue
        except (UnreadableFile, ConfigError) as exc:
            log.warning("file source %s: %s", drop.name, exc)
            counts["failed_files"] += 1
            continue  # not marked as done: the next scan tries it again
        counts["files"] += 1
        for name in ("read", "stored", "updated", "rejected"):
            counts[name] += getattr(summary.counts, name)
        if summary.failed_files:
            counts["failed_files"] += len(summary.failed_files)
            continue  # not marked as done: the next scan tries it again
        set_cursor(engine, drop.name, key, digest)
    return counts


def collect_for_scan(settings: Settings, engine: Engine, *, demo: bool = False, progress: bool = True):
    """Run every file drop and live source (``--demo``: only the files in ``data/demo``)."""
    from pipeline.scan import StageResult

    from .live import collect_all

    details: dict[str, Any] = {}
    total = StageResult()
    if demo:
        drops, live = [DEMO_SOURCE], False
    else:
        sources = load_sources(settings)
        drops, live = [d for d in sources.files if d.enabled], True
    for drop in drops:
        counts = import_drop(settings, engine, drop)
        details[drop.name] = f"{counts['files']} files ({counts['files_unchanged']} unchanged), " \
            f"{counts['stored']} new, {counts['updated']} updated, {counts['rejected']} rejected"
        total.n_in += counts["read"]
        total.n_out += counts["stored"] + counts["updated"]
        total.n_errors += counts["rejected"] + counts["failed_files"]
    if live:
        for result in collect_all(settings, engine):
            details[result.name] = result.status if not result.errors else f"{result.status}: {result.error}"
            total.n_in += result.fetched
            total.n_out += result.stored + result.updated
            total.n_errors += result.rejected + (1 if result.status == "failed" else 0)
    total.details = details
    return total
