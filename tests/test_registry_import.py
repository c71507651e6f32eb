import csv
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from pipeline.config import ConfigError
from pipeline.registry.importer import (
    RegistryImportError,
    import_registry,
    list_versions,
    load_mapping,
    load_registry,
)
from pipeline.store.tables import AsnRecord
from pipeline.store.tables.registry import AsnRecordHistory

COLUMNS = [
    "nip",
    "nama",
    "gelar_depan",
    "gelar_belakang",
    "jabatan",
    "instansi",
    "unit_kerja",
    "kabupaten_kota",
    "provinsi",
    "akun",
]
SRI = [
    "198503122010012003",
    "Sri Wahyuni",
    "",
    "S.Pd.",
    "Guru Ahli Pertama",
    "Pemerintah Kabupaten Tanjung Sari",
    "SD Negeri 2 Sukamaju",
    "Kabupaten Tanjung Sari",
    "Nusa Jaya",
    "",
]
BUDI = [
    "197901012005011001",
    "Budi Santoso",
    "",
    "S.E.",
    "Pengadministrasi Umum",
    "Pemerintah Kota Batu Raya",
    "Kecamatan Batu Timur",
    "Kota Batu Raya",
    "Nusa Jaya",
    "x:@budi_santoso88; ig:budi.s",
]
RATNA = [
    "198703152011012004",
    "RATNA DEWI",
    "",
    "A.Md.Keb.",
    "Bidan Terampil",
    "Pemerintah Kabupaten Tanjung Sari",
    "Puskesmas Sukamaju",
    "Kabupaten Tanjung Sari",
    "Nusa Jaya",
    "",
]


def write_csv(path: Path, rows: list[list[str]], header=COLUMNS, delimiter=",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_reimport_reports_added_removed_and_changed_and_keeps_history(engine, tmp_path):
    first = import_registry(engine, write_csv(tmp_path / "v1.csv", [SRI, BUDI]))
    assert (first.version, first.added, first.removed, first.changed) == (1, 2, 0, 0)
    moved = [*SRI]
    moved[6] = "SD Negeri 5 Sukamaju"
    second = import_registry(engine, write_csv(tmp_path / "v2.csv", [moved, RATNA]))
    assert (second.version, second.previous_version) == (2, 1)
    assert (second.added, second.removed, second.changed) == (1, 1, 1)
    assert second.changed_fields == {"unit_kerja": 1}
    assert count(engine, AsnRecord) == 2
    assert count(engine, AsnRecordHistory) == 2  # Sri's old state and Budi
    with engine.connect() as conn:
        v2, now = load_registry(conn)
        _, then = load_registry(conn, 1)
    assert v2 == 2
    assert sorted(now.nama) == ["RATNA DEWI", "Sri Wahyuni"]
    assert sorted(then.nama) == ["Budi Santoso", "Sri Wahyuni"]
    assert then.set_index("nip").loc[SRI[0], "unit_kerja"] == "SD Negeri 2 Sukamaju"
    assert then.set_index("nip").loc[BUDI[0], "akun"] == "instagram:budi.s;x:budi_santoso88"
    assert [v["id"] for v in list_versions(engine)] == [1, 2]


def test_importing_the_same_content_again_adds_no_version(engine, tmp_path):
    path = write_csv(tmp_path / "r.csv", [SRI, BUDI])
    import_registry(engine, path)
    again = import_registry(engine, write_csv(tmp_path / "reordered.csv", [BUDI, SRI]))
    assert again.unchanged and again.version is None and again.previous_version == 1
    assert len(list_versions(engine)) == 1


def test_bad_rows_are_rejected_with_file_line_field_reason_and_the_rest_loads(engine, tmp_path):
    bad_date = [*RATNA]
    bad_date[0] = "198713152011012004"
    too_young = [*RATNA]
    too_young[0] = "199503152005012004"
    short = [*RATNA]
    short[0] = "19870315201101200"
    no_name = [*RATNA]
    no_name[1] = " "
    bad_account = [*RATNA]
    bad_account[9] = "myspace:ratna; x:ratna_dewi"
    rows = [SRI, bad_date, too_young, short, no_name, SRI, bad_account]
    report = import_registry(
        engine, write_csv(tmp_path / "mixed.csv", rows), rejects_dir=tmp_path / "rejects"
    )
    reasons = [(r.line, r.field, r.reason, r.action) for r in report.rejects]
    assert reasons == [
        (3, "nip", "invalid birth date 19871315", "row rejected"),
        (4, "nip", "appointment (TMT CPNS) 200501 before age 18 (born 19950315)", "row rejected"),
        (5, "nip", "wrong length: 17 digits, expected 18", "row rejected"),
        (6, "nama", "missing", "row rejected"),
        (7, "nip", "duplicate NIP (first on line 2)", "row rejected"),
        (8, "akun", "declared account 'myspace:ratna': unknown platform 'myspace'", "value dropped"),
    ]
    assert report.n_valid == 2 and report.n_rejected == 5
    assert count(engine, AsnRecord) == 2
    text = Path(report.rejects_path).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "file,line,field,reason,action"
    assert "mixed.csv,3,nip,invalid birth date 19871315,row rejected" in text
    with engine.connect() as conn:
        _, frame = load_registry(conn)
    assert frame.set_index("nip").loc[RATNA[0], "akun"] == "x:ratna_dewi"


def test_a_file_with_no_valid_row_never_empties_the_registry(engine, tmp_path):
    import_registry(engine, write_csv(tmp_path / "good.csv", [SRI, BUDI]))
    broken = [["123", *SRI[1:]]]
    with pytest.raises(RegistryImportError, match="no valid records"):
        import_registry(engine, write_csv(tmp_path / "broken.csv", broken))
    assert count(engine, AsnRecord) == 2


def test_siasn_headers_semicolons_and_a_mapping(engine, tmp_path):
    header = [
        "NIP BARU",
        "NAMA",
        "GELAR DEPAN",
        "GELAR BELAKANG",
        "JABATAN NAMA",
        "INSTANSI KERJA NAMA",
        "UNOR NAMA",
        "LOKASI KERJA NAMA",
    ]
    rows = [[r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]] for r in (SRI, RATNA)]
    path = write_csv(tmp_path / "siasn.csv", rows, header=header, delimiter=";")
    report = import_registry(engine, path)
    assert report.n_valid == 2 and "provinsi" in report.missing_columns
    mapping_file = tmp_path / "one-province.yaml"
    mapping_file.write_text("columns:\n  provinsi: {value: Nusa Jaya}\n", encoding="utf-8")
    again = import_registry(engine, path, load_mapping(mapping_file))
    assert again.changed == 2 and again.changed_fields == {"provinsi": 2}


def test_xlsx_and_nips_stored_as_spreadsheet_numbers(engine, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    ws.append(SRI)
    ws.append([198703152011012004, *RATNA[1:]])  # typed as a number: digits cannot be trusted
    path = tmp_path / "registry.xlsx"
    wb.save(path)
    report = import_registry(engine, path)
    assert report.n_valid == 1
    assert report.rejects[0].line == 3 and "stored as a number" in report.rejects[0].reason


def test_missing_required_column_and_bad_mapping_are_clear(engine, tmp_path):
    path = write_csv(tmp_path / "nonip.csv", [SRI[1:]], header=COLUMNS[1:])
    with pytest.raises(RegistryImportError, match="no column for nip"):
        import_registry(engine, path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  nomor: NIP\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"columns\.nomor"):
        load_mapping(bad)


def test_shipped_mappings_load():
    root = Path(__file__).resolve().parent.parent / "configs" / "mappings"
    for path in sorted(root.glob("registry-*.yaml")):
        assert load_mapping(path).columns, path
