"""Import a registry export (CSV or XLSX) as a new registry version, with a diff to the last one.

The file is read twice, streaming, so that a national export (4.7 million rows) never sits in
memory as records: the first pass validates every row and keeps only NIP → row hash; the second
pass writes the rows that are new or changed. Bad rows are set aside in a rejects file with file,
line, field and reason; the rest of the file loads.

Columns are found by name. The default names are those of the issue's canonical shape (``nip``,
``nama``, ``gelar_depan`` ...) plus common SIASN/SAPK export headers ("NIP BARU", "UNOR NAMA",
...); a mapping YAML (``configs/mappings/registry-*.yaml``) names the columns of any other shape
and can fill a column with a constant.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Engine, delete, func, select, union_all, update

from pipeline.config import ConfigError, Section, parse_section, read_yaml
from pipeline.schema import utcnow
from pipeline.store.tables.registry import AsnRecord, AsnRecordHistory, RegistryVersion

from .matcher import parse_declared
from .nip import NipError, decode_nip

log = logging.getLogger(__name__)

FIELDS = (
    "nip", "nama", "gelar_depan", "gelar_belakang", "jabatan", "instansi", "unit_kerja",
    "kabupaten_kota", "provinsi", "akun",
)  # fmt: skip
REQUIRED = ("nip", "nama")
HASHED = tuple(f for f in FIELDS if f != "nip")

# Header names recognised without a mapping, compared lower case with punctuation as spaces.
DEFAULT_COLUMNS: dict[str, list[str]] = {
    "nip": ["nip", "nip baru", "nipbaru", "nip 18", "nomor induk pegawai"],
    "nama": ["nama", "nama lengkap", "nama pegawai", "nama pns", "nama asn"],
    "gelar_depan": ["gelar depan", "glr depan", "gelar dpn"],
    "gelar_belakang": ["gelar belakang", "glr belakang", "gelar blkg"],
    "jabatan": ["jabatan", "jabatan nama", "nama jabatan", "jabatan fungsional nama", "jabatan fungsional"],
    "instansi": ["instansi", "instansi kerja nama", "instansi induk nama", "nama instansi", "instansi kerja"],
    "unit_kerja": ["unit kerja", "unor nama", "unit organisasi", "satuan kerja kerja nama", "satuan kerja",
                   "unor", "unit kerja nama"],
    "kabupaten_kota": ["kabupaten kota", "kab kota", "kabupaten", "kota", "lokasi kerja nama", "lokasi kerja",
                       "kabupaten kota nama"],
    "provinsi": ["provinsi", "propinsi", "prov", "provinsi nama"],
    "akun": ["akun", "akun media sosial", "media sosial", "sosmed", "akun medsos"],
}  # fmt: skip


class RegistryImportError(Exception):
    """The file as a whole cannot be imported (unreadable, required column missing)."""


class ColumnValue(Section):
    value: str


class RegistryMapping(Section):
    """How to read one shape of registry export (see configs/mappings/registry-siasn.yaml)."""

    format: Literal["auto", "csv", "xlsx"] = "auto"
    sheet: str | None = None
    delimiter: str = "auto"
    encoding: str = "auto"
    header_row: int = Field(1, ge=1)
    columns: dict[str, str | list[str] | ColumnValue | None] = Field(default_factory=dict)

    def candidates(self, name: str) -> list[str] | ColumnValue | None:
        spec = self.columns.get(name, "__default__")
        if spec == "__default__":
            return DEFAULT_COLUMNS.get(name, [name])
        if spec is None or isinstance(spec, ColumnValue):
            return spec
        return [spec] if isinstance(spec, str) else list(spec)


def load_mapping(path: str | Path | None) -> RegistryMapping:
    if path is None:
        return RegistryMapping()
    p = Path(path)
    data = read_yaml(p)
    mapping = parse_section(RegistryMapping, data, str(p))
    unknown = sorted(set(mapping.columns) - set(FIELDS))
    if unknown:
        raise ConfigError(str(p), f"columns.{unknown[0]}", f"unknown field (known: {', '.join(FIELDS)})")
    return mapping


def header_key(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


@dataclass
class Reject:
    file: str
    line: int
    field: str
    reason: str
    action: str = "row rejected"  # or "value dropped"


@dataclass
class ImportReport:
    """What an import did. ``version`` is None when nothing changed (no new version)."""

    source: str
    version: int | None = None
    previous_version: int | None = None
    unchanged: bool = False
    n_read: int = 0
    n_valid: int = 0
    n_rejected: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    changed_fields: dict[str, int] = field(default_factory=dict)
    missing_columns: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    rejects_path: str | None = None


# ----------------------------------------------------------------------------- reading
def _sniff_encoding(raw: bytes, requested: str) -> str:
    if requested != "auto":
        return requested
    try:
        raw.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        # A cut in the middle of a multi-byte character at the sample's end is still UTF-8.
        if exc.start >= len(raw) - 3:
            return "utf-8-sig"
        return "cp1252"


def _csv_rows(path: Path, mapping: RegistryMapping) -> Iterator[tuple[int, list[Any]]]:
    with path.open("rb") as fh:
        sample = fh.read(65536)
    encoding = _sniff_encoding(sample, mapping.encoding)
    text_sample = sample.decode(encoding, errors="replace")
    delimiter = mapping.delimiter
    if delimiter == "auto":
        first = text_sample.splitlines()[0] if text_sample else ""
        delimiter = max([",", ";", "\t", "|"], key=first.count)
    elif delimiter in ("\\t", "tab"):
        delimiter = "\t"
    with path.open("r", encoding=encoding, newline="", errors="replace") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        for row in reader:
            yield reader.line_num, row


def _xlsx_rows(path: Path, mapping: RegistryMapping) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise RegistryImportError(f"{path}: cannot open as XLSX ({exc.__class__.__name__}: {exc})") from exc
    try:
        if mapping.sheet and mapping.sheet not in wb.sheetnames:
            raise RegistryImportError(
                f"{path}: no sheet {mapping.sheet!r} (sheets: {', '.join(wb.sheetnames)})"
            )
        ws = wb[mapping.sheet] if mapping.sheet else wb.worksheets[0]
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield i, list(row)
    finally:
        wb.close()


def read_rows(path: Path, mapping: RegistryMapping) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """(missing optional fields, iterator of (line, {field: raw value})) for a registry file."""
    fmt = mapping.format
    if fmt == "auto":
        fmt = "xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv"
    rows = _xlsx_rows(path, mapping) if fmt == "xlsx" else _csv_rows(path, mapping)
    header: list[Any] | None = None
    for line, row in rows:
        if line >= mapping.header_row and any(c not in (None, "") for c in row):
            header = row
            break
    if header is None:
        raise RegistryImportError(f"{path}: no header row")
    keys = [header_key(h) for h in header]
    index: dict[str, int | ColumnValue] = {}
    missing: list[str] = []
    for name in FIELDS:
        spec = mapping.candidates(name)
        if isinstance(spec, ColumnValue):
            index[name] = spec
            continue
        if spec is None:  # mapped to null on purpose: left empty without a word
            continue
        found = next((keys.index(header_key(c)) for c in spec or [] if header_key(c) in keys), None)
        if found is None:
            if name in REQUIRED:
                wanted = ", ".join(repr(c) for c in spec or [])
                raise RegistryImportError(
                    f"{path}: line {mapping.header_row}: no column for {name} (looked for {wanted})"
                )
            missing.append(name)
        else:
            index[name] = found

    def records() -> Iterator[tuple[int, dict[str, Any]]]:
        for line, row in rows:
            if not any(c not in (None, "") for c in row):
                continue
            out: dict[str, Any] = {}
            for name, where in index.items():
                if isinstance(where, ColumnValue):
                    out[name] = where.value
                else:
                    out[name] = row[where] if where < len(row) else None
            yield line, out

    return missing, records()


# ----------------------------------------------------------------------------- validation
def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def _nip_value(value: Any) -> Any:
    """Spreadsheet numbers are not NIPs: an 18-digit number cannot survive a float."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        if len(str(abs(value))) >= 16:
            raise NipError(
                "stored as a number by a spreadsheet (digits may be lost); format the column as text"
            )
        return str(value)
    return value


def validate_row(raw: dict[str, Any], file: str, line: int) -> tuple[dict[str, Any] | None, list[Reject]]:
    """A clean record, or None with the reasons; a bad declared account only drops that value."""
    rejects: list[Reject] = []
    try:
        nip = decode_nip(_nip_value(raw.get("nip")))
    except NipError as exc:
        return None, [Reject(file, line, "nip", exc.reason)]
    nama = _text(raw.get("nama"))
    if not nama:
        return None, [Reject(file, line, "nama", "missing")]
    rec: dict[str, Any] = {name: _text(raw.get(name)) for name in FIELDS if name not in ("nip", "akun")}
    rec["nama"] = nama
    rec["nip"] = nip.value
    rec["birth_date"] = nip.birth_date
    rec["tmt_cpns"] = nip.appointment
    rec["gender"] = nip.gender
    akun: list[str] = []
    raw_akun = _text(raw.get("akun"))
    if raw_akun:
        for part in re.split(r"[;,]", raw_akun):
            if not part.strip():
                continue
            try:
                akun.extend(f"{p}:{h}" for p, h in parse_declared(part))
            except ValueError as exc:
                rejects.append(Reject(file, line, "akun", str(exc), "value dropped"))
    rec["akun"] = sorted(set(akun)) or None
    rec["row_hash"] = row_hash(rec)
    return rec, rejects


def row_hash(rec: dict[str, Any]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for name in HASHED:
        value = rec.get(name)
        if isinstance(value, list):
            value = ";".join(value)
        h.update((value or "").encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ----------------------------------------------------------------------------- import
def current_version(conn: Any) -> int | None:
    return conn.scalar(select(func.max(RegistryVersion.id)))


def import_registry(
    engine: Engine,
    path: str | Path,
    mapping: RegistryMapping | None = None,
    mapping_name: str | None = None,
    rejects_dir: str | Path | None = None,
    batch_size: int = 5000,
) -> ImportReport:
    """Validate ``path``, diff it against the current version and store it as a new version."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(path)
    mapping = mapping or RegistryMapping()
    report = ImportReport(source=str(path))
    digest = file_sha256(path)
    missing, rows = read_rows(path, mapping)
    report.missing_columns = missing
    hashes: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for line, raw in rows:
        report.n_read += 1
        rec, rejects = validate_row(raw, path.name, line)
        report.rejects.extend(rejects)
        if rec is None:
            continue
        if rec["nip"] in hashes:
            report.rejects.append(
                Reject(path.name, line, "nip", f"duplicate NIP (first on line {first_line[rec['nip']]})")
            )
            continue
        hashes[rec["nip"]] = rec["row_hash"]
        first_line[rec["nip"]] = line
    report.n_valid = len(hashes)
    report.n_rejected = sum(1 for r in report.rejects if r.action == "row rejected")
    if rejects_dir is not None and report.rejects:
        report.rejects_path = str(write_rejects(report.rejects, Path(rejects_dir), path))
    table = AsnRecord.__table__
    with engine.begin() as conn:
        previous = current_version(conn)
        report.previous_version = previous
        current: dict[str, tuple[int, str]] = {}
        for rid, nip, h in conn.execute(select(table.c.id, table.c.nip, table.c.row_hash)):
            current[nip] = (rid, h)
        added = [n for n in hashes if n not in current]
        removed = [n for n in current if n not in hashes]
        changed = [n for n, h in hashes.items() if n in current and current[n][1] != h]
        report.added, report.removed, report.changed = len(added), len(removed), len(changed)
        if not hashes:
            # Almost always a wrong mapping or a broken file: never let it empty the registry.
            raise RegistryImportError(
                f"{path}: no valid records ({report.n_rejected} rejected); nothing imported"
            )
        if not (added or removed or changed) and previous is not None:
            report.unchanged = True
            log.info("registry import: no changes against version %s (%d records)", previous, len(hashes))
            return report
        version = conn.execute(
            RegistryVersion.__table__.insert().values(
                imported_at=utcnow(), source=path.name, file_sha256=digest, mapping=mapping_name,
                n_read=report.n_read, n_records=len(hashes), n_added=len(added), n_removed=len(removed),
                n_changed=len(changed), n_rejected=report.n_rejected, changed_fields=None,
                rejects_path=report.rejects_path,
            )
        ).inserted_primary_key[0]  # fmt: skip
        report.version = int(version)
        old_values = _retire(conn, [current[n][0] for n in removed + changed], int(version))
        write = set(added) | set(changed)
        fields_changed: Counter[str] = Counter()
        batch: list[dict[str, Any]] = []
        _, rows = read_rows(path, mapping)
        for line, raw in rows:
            rec, _ = validate_row(raw, path.name, line)
            if rec is None or rec["nip"] not in write or first_line.get(rec["nip"]) != line:
                continue
            if rec["nip"] in old_values:
                old = old_values[rec["nip"]]
                fields_changed.update(f for f in HASHED if (old.get(f) or None) != (rec.get(f) or None))
            batch.append({**rec, "valid_from": version})
            if len(batch) >= batch_size:
                conn.execute(table.insert(), batch)
                batch = []
        if batch:
            conn.execute(table.insert(), batch)
        report.changed_fields = dict(fields_changed.most_common())
        conn.execute(
            update(RegistryVersion.__table__)
            .where(RegistryVersion.__table__.c.id == version)
            .values(changed_fields=report.changed_fields)
        )
    log.info(
        "registry import: version %s, %d records, +%d -%d ~%d, %d rejected",
        report.version, len(hashes), report.added, report.removed, report.changed, report.n_rejected,
    )  # fmt: skip
    return report


RECORD_FIELDS = (
    "nip", *HASHED, "birth_date", "tmt_cpns", "gender", "row_hash",
)  # fmt: skip


def _retire(conn: Any, ids: list[int], version: int) -> dict[str, dict[str, Any]]:
    """Move the current rows ``ids`` into the history (valid until ``version``); their old values."""
    table, history = AsnRecord.__table__, AsnRecordHistory.__table__
    out: dict[str, dict[str, Any]] = {}
    cols = [table.c[n] for n in (*RECORD_FIELDS, "valid_from")]
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rows = [dict(r._mapping) for r in conn.execute(select(*cols).where(table.c.id.in_(chunk)))]
        if rows:
            conn.execute(history.insert(), [{**r, "valid_to": version} for r in rows])
        conn.execute(delete(table).where(table.c.id.in_(chunk)))
        out.update({r["nip"]: r for r in rows})
    return out


def write_rejects(rejects: list[Reject], directory: Path, source: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    path = directory / f"registry-{source.stem}-{stamp}.csv"
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["file", "line", "field", "reason", "action"])
    for r in rejects:
        writer.writerow([r.file, r.line, r.field, r.reason, r.action])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- reading back
def list_versions(engine: Engine) -> list[dict[str, Any]]:
    t = RegistryVersion.__table__
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(t).order_by(t.c.id))]


def load_registry(conn: Any, version: int | None = None) -> tuple[int | None, Any]:
    """(version, DataFrame) of the registry as of ``version`` (default: the current one).

    ``akun`` comes back as "platform:handle;..." as in the import file.
    """
    import pandas as pd

    t, h = AsnRecord.__table__, AsnRecordHistory.__table__
    latest = current_version(conn)
    v = version if version is not None else latest
    cols = ["nip", *HASHED, "gender"]
    if v is None:
        return None, pd.DataFrame(columns=cols)
    query: Any = select(*[t.c[c] for c in cols])
    if v != latest:
        past = select(*[h.c[c] for c in cols]).where(h.c.valid_from <= v, h.c.valid_to > v)
        query = union_all(query.where(t.c.valid_from <= v), past)
    df = pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=cols)
    df["akun"] = df["akun"].map(lambda a: ";".join(a) if a else None)
    return v, df
