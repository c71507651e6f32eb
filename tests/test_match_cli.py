import json

from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()
HEADER = "nip,nama,gelar_depan,gelar_belakang,jabatan,instansi,unit_kerja,kabupaten_kota,provinsi,akun\n"
ROWS = (
    "198703152011012004,Sri Wahyuni,,A.Md.Keb.,Bidan Terampil,Pemerintah Kabupaten Tanjung Sari,"
    "Puskesmas Sukamaju,Kabupaten Tanjung Sari,Nusa Jaya,\n"
    "198503122010012003,Sri Wahyuni,,S.Pd.,Guru Ahli Pertama,Pemerintah Kabupaten Tanjung Sari,"
    "SD Negeri 2 Sukamaju,Kabupaten Tanjung Sari,Nusa Jaya,\n"
    "198513122010012003,Broken Date,,,Guru,Pemkab,SDN 1,Kabupaten Tanjung Sari,Nusa Jaya,\n"
)


def env(tmp_path, **extra):
    return {"NETRA_DATABASE_URL": f"sqlite:///{tmp_path / 'netra.db'}", "NETRA__LOGGING__FILE": "null",
            "NETRA__COLLECT__REJECTS_DIR": str(tmp_path / "rejects"), **extra}  # fmt: skip


def test_import_versions_and_match_files(tmp_path):
    registry = tmp_path / "registry.csv"
    registry.write_text(HEADER + ROWS, encoding="utf-8")
    result = runner.invoke(app, ["registry", "import", str(registry)], env=env(tmp_path))
    assert result.exit_code == 3, result.output  # partial: one row rejected
    assert "version 1: 2 records, added 2, removed 0, changed 0" in result.output
    assert "registry.csv:4: nip: invalid birth date 19851312 (row rejected)" in result.output
    result = runner.invoke(app, ["registry", "versions"], env=env(tmp_path))
    assert result.exit_code == 0 and "registry.csv" in result.output

    accounts = tmp_path / "accounts.jsonl"
    accounts.write_text(
        json.dumps({"platform": "x", "handle": "sri_bidan", "display_name": "Sri Wahyuni",
                    "bio": "bidan desa Sukamaju", "location": "Tanjung Sari", "followers": 10}) + "\n"
        + json.dumps({"platform": "x", "handle": "sriw", "display_name": "Sri Wahyuni"}) + "\n"
        + "{not json\n",
        encoding="utf-8",
    )  # fmt: skip
    out = tmp_path / "matches.jsonl"
    args = ["match", "--registry", str(registry), "--accounts", str(accounts), "--output", str(out)]
    result = runner.invoke(app, args, env=env(tmp_path))
    assert result.exit_code == 3, result.output  # a bad account line and a rejected registry row
    assert "accounts.jsonl:3: invalid JSON" in result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["handle"] for r in lines] == ["sri_bidan", "sriw"]
    assert set(lines[0]) >= {"platform", "handle", "nip", "probability", "candidates", "evidence"}
    assert lines[0]["nip"] == "198703152011012004" and lines[1]["nip"] is None
    assert all(c["probability"] < 0.5 for c in lines[1]["candidates"])

    result = runner.invoke(app, [*args, "--pseudonymise"], env=env(tmp_path))
    assert result.exit_code == 2 and "pseudonym key" in result.output
    result = runner.invoke(app, [*args, "--pseudonymise"], env=env(tmp_path, NETRA_PSEUDONYM_KEY="k"))
    text = out.read_text(encoding="utf-8")
    assert "198703152011012004" not in text and '"nip": "asn_' in text

    result = runner.invoke(app, ["match", "--from-store"], env=env(tmp_path))
    assert result.exit_code == 0 and "registry_version=1" in result.output
