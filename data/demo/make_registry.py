"""Build data/demo/registry.csv: the demo's fictional ASN registry (seeded; same output every run).

    python data/demo/make_registry.py

It holds every civil-servant persona of personas.yaml as a BKN export would (name and titles in
their own columns, jabatan, instansi, unit kerja, region), namesakes of several of them (other
people called Sri Wahyuni, Budi Santoso, Ratna Wulandari ... with other jobs or in other places, so
that the demo shows how namesakes are handled), and a few hundred more fictional civil servants of
Provinsi Nusa Jaya. Two personas list their account in the ``akun`` column (a declared account is a
certain match); the others must be found by matching. Everything is invented.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from pipeline.registry.synthetic import Region, generate_records, make_nip, public_record  # noqa: E402

SEED = 2026
N_OTHERS = 300
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
DECLARED_IN_REGISTRY = {"rahmat", "rudi"}  # personas whose account the registry lists
FEMALE = {"sri", "maya", "yuliana", "dewi", "nurhayati", "ratna_w", "eka"}
# Namesakes: (persona key, how many others share the name, what they do instead).
NAMESAKES = {
    "sri": [
        ("Guru Ahli Pertama", "SD Negeri 4 Sukamaju", "Kabupaten Tanjung Sari", "S.Pd."),
        ("Pengadministrasi Umum", "Kecamatan Pesisir", "Kabupaten Tanjung Sari", ""),
        ("Bidan Terampil", "Puskesmas Karangrejo", "Kabupaten Sungai Jernih", "A.Md.Keb."),
    ],
    "budi": [
        ("Pengadministrasi Umum", "Kecamatan Sukamaju", "Kabupaten Tanjung Sari", "S.E."),
        ("Guru Ahli Pertama", "SD Negeri 7 Mekarjaya", "Kabupaten Padang Luhur", "S.Pd."),
        ("Penyuluh Pertanian Ahli Pertama", "Dinas Pertanian", "Kota Batu Raya", "S.P."),
    ],
    "ratna_w": [("Perawat Terampil", "Puskesmas Pesisir", "Kabupaten Tanjung Sari", "A.Md.Kep.")],
    "rahmat": [("Guru Ahli Madya", "SMA Negeri 1 Tanjung Sari", "Kabupaten Tanjung Sari", "S.Pd.")],
    "agus": [
        ("Analis Kebijakan Ahli Pertama", "Badan Perencanaan Pembangunan Daerah", "Kota Batu Raya", "S.E.")
    ],
    "eka": [("Bidan Terampil", "Puskesmas Sukamaju", "Kabupaten Tanjung Sari", "A.Md.Keb.")],
}


def _instansi(kab: str, unit: str) -> str:
    if "SMA Negeri" in unit:
        return "Pemerintah Provinsi Nusa Jaya"
    return f"Pemerintah {kab}"


def main(out: Path = HERE / "registry.csv") -> None:
    rng = random.Random(SEED)
    personas = yaml.safe_load((HERE / "personas.yaml").read_text(encoding="utf-8"))["personas"]
    used: set[str] = set()
    rows: list[dict[str, str]] = []
    for p in personas:
        gender = "P" if p["key"] in FEMALE else "L"
        nip, _ = make_nip(rng, gender, used)
        akun = (
            f"{p['platform']}:{p['handle']}" if p["key"] in DECLARED_IN_REGISTRY and p.get("handle") else ""
        )
        rows.append(
            {
                "nip": nip,
                "nama": p["nama"],
                "gelar_depan": p.get("gelar_depan") or "",
                "gelar_belakang": p.get("gelar_belakang") or "",
                "jabatan": p["jabatan"],
                "instansi": p["instansi"],
                "unit_kerja": p["unit_kerja"],
                "kabupaten_kota": p["kabupaten_kota"],
                "provinsi": p["provinsi"],
                "akun": akun,
            }
        )
        for jabatan, unit, kab, back in NAMESAKES.get(p["key"], []):
            nip, _ = make_nip(rng, gender, used)
            rows.append(
                {
                    "nip": nip,
                    "nama": p["nama"].upper() if rng.random() < 0.5 else p["nama"],
                    "gelar_depan": "",
                    "gelar_belakang": back,
                    "jabatan": jabatan,
                    "instansi": _instansi(kab, unit),
                    "unit_kerja": unit,
                    "kabupaten_kota": kab,
                    "provinsi": "Nusa Jaya",
                    "akun": "",
                }
            )
    places = ["Sukamaju", "Pesisir", "Karangrejo", "Mekarjaya", "Sumbersari", "Tegalwangi", "Sindangasih"]
    demo_regions = [
        Region("Nusa Jaya", "Kabupaten Tanjung Sari", places),
        Region("Nusa Jaya", "Kota Batu Raya", ["Batu Timur", "Batu Barat", "Harjaraya", "Girimulya"]),
        Region("Nusa Jaya", "Kabupaten Sungai Jernih", ["Karangrejo", "Banjarsari", "Tirtamaju"]),
        Region("Nusa Jaya", "Kota Nusa Jaya", ["Kota Lama", "Pelabuhan", "Sumberjaya"]),
    ]
    for rec in generate_records(N_OTHERS, seed=SEED, region_list=demo_regions):
        if rec["nip"] in used:
            continue
        used.add(rec["nip"])
        rows.append({k: public_record(rec).get(k, "") or "" for k in COLUMNS})
    rng.shuffle(rows)
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    print(f"{out}: {len(rows)} fictional records ({len(personas)} personas)")


if __name__ == "__main__":
    main()
