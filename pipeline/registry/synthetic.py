"""Fictional registries and accounts for evaluation, the demo and benchmarks.

Everything here is invented: the provinces and kabupaten ("Nusa Jaya", "Tanjung Sari", ...), the
villages, the people. Names are drawn from common Indonesian given names with a skewed (Zipf-like)
distribution, so that, as in a real registry, a few names ("Sri Wahyuni", "Budi Santoso",
"Siti Aminah") are shared by many people. Titles follow the job (teachers hold an S.Pd., midwives
an A.Md.Keb.), and are written the many ways real exports write them.

Accounts are generated from records (civil servants who post), from names in the registry held by
people who are not in it (namesakes: a private-school teacher called Sri Wahyuni), and from people
unrelated to the registry. Each account says as much or as little about its owner as real ones do:
some give a full name, job and place; some only "Bu Sri" and a handle.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

PROVINCES: dict[str, list[str]] = {
    "Nusa Jaya": [
        "Kabupaten Tanjung Sari",
        "Kota Batu Raya",
        "Kabupaten Sungai Jernih",
        "Kabupaten Padang Luhur",
        "Kabupaten Karang Baru",
        "Kabupaten Teluk Damai",
        "Kabupaten Lembah Permai",
    ],
    "Sumber Makmur": [
        "Kabupaten Air Manis",
        "Kabupaten Pulau Indah",
        "Kota Rawa Jaya",
        "Kabupaten Bukit Asri",
        "Kabupaten Muara Sejuk",
        "Kabupaten Ladang Luas",
    ],
    "Laut Biru": [
        "Kabupaten Pantai Emas",
        "Kabupaten Tanjung Harapan",
        "Kota Pasir Terang",
        "Kabupaten Muara Baru",
        "Kabupaten Karang Indah",
        "Kabupaten Teluk Sunyi",
    ],
    "Gunung Hijau": [
        "Kabupaten Lereng Asri",
        "Kabupaten Kabut Tinggi",
        "Kota Batu Gede",
        "Kabupaten Sawah Lestari",
        "Kabupaten Hutan Damai",
        "Kabupaten Danau Tenang",
    ],
}

_PLACE_HEAD = [
    "Suka",
    "Sumber",
    "Mekar",
    "Karang",
    "Sindang",
    "Cipta",
    "Mulya",
    "Tegal",
    "Wono",
    "Banjar",
    "Kali",
    "Rejo",
    "Harja",
    "Sari",
    "Giri",
    "Tirta",
    "Bumi",
    "Marga",
    "Jati",
    "Waru",
]
_PLACE_TAIL = [
    "maju",
    "jaya",
    "makmur",
    "sari",
    "mulya",
    "rahayu",
    "asih",
    "harja",
    "wangi",
    "indah",
    "agung",
    "baru",
    "raya",
    "mukti",
    "rejo",
    "mekar",
    "tani",
    "luhur",
    "kencana",
    "damai",
]

FEMALE_FIRST = [
    "Sri",
    "Siti",
    "Dewi",
    "Ratna",
    "Nur",
    "Endang",
    "Rina",
    "Yuni",
    "Fitri",
    "Ani",
    "Eka",
    "Indah",
    "Dian",
    "Maya",
    "Novi",
    "Yanti",
    "Rini",
    "Tri",
    "Dwi",
    "Putri",
    "Kartika",
    "Ayu",
    "Retno",
    "Susi",
    "Wulan",
    "Yulia",
    "Evi",
    "Lina",
    "Diah",
    "Nining",
    "Erna",
    "Tuti",
    "Lilis",
    "Neneng",
    "Ida",
    "Rosmawati",
    "Mega",
    "Desi",
    "Wiwik",
    "Heni",
]
FEMALE_LAST = [
    "Wahyuni",
    "Aminah",
    "Lestari",
    "Rahayu",
    "Wulandari",
    "Handayani",
    "Susanti",
    "Purwanti",
    "Rahmawati",
    "Kurniasih",
    "Fitriani",
    "Suryani",
    "Maryati",
    "Yuliani",
    "Hartati",
    "Sulastri",
    "Puspitasari",
    "Anggraini",
    "Safitri",
    "Novitasari",
    "Mulyani",
    "Wijayanti",
    "Setyaningsih",
    "Nurhayati",
    "Kusumawati",
    "Pratiwi",
    "Ningsih",
    "Astuti",
    "Damayanti",
    "Nasution",
    "Siregar",
    "Harahap",
    "Permatasari",
    "Utami",
    "Sari",
    "Marlina",
    "Hasanah",
    "Zulaikha",
]
MALE_FIRST = [
    "Budi",
    "Agus",
    "Ahmad",
    "Muhammad",
    "Eko",
    "Joko",
    "Bambang",
    "Hendra",
    "Dedi",
    "Rudi",
    "Andi",
    "Heru",
    "Yusuf",
    "Rizki",
    "Arif",
    "Dwi",
    "Tri",
    "Adi",
    "Iwan",
    "Slamet",
    "Wahyu",
    "Bayu",
    "Fajar",
    "Imam",
    "Hadi",
    "Teguh",
    "Dodi",
    "Asep",
    "Ujang",
    "Made",
    "Wayan",
    "Yohanes",
    "Rahmat",
    "Irwan",
    "Sutrisno",
    "Dani",
    "Hasan",
    "Aris",
    "Yudi",
    "Doni",
]
MALE_LAST = [
    "Santoso",
    "Setiawan",
    "Wijaya",
    "Hidayat",
    "Saputra",
    "Prasetyo",
    "Kurniawan",
    "Nugroho",
    "Susanto",
    "Gunawan",
    "Hartono",
    "Pratama",
    "Firmansyah",
    "Siregar",
    "Nasution",
    "Harahap",
    "Lubis",
    "Simanjuntak",
    "Sembiring",
    "Ginting",
    "Sitompul",
    "Hutapea",
    "Rahman",
    "Hakim",
    "Sulaiman",
    "Syahputra",
    "Ramadhan",
    "Purnomo",
    "Wibowo",
    "Suryadi",
    "Hermawan",
    "Budiman",
    "Kusuma",
    "Sutanto",
    "Effendi",
    "Pane",
    "Manurung",
    "Tarigan",
]
SINGLE_NAMES = {
    "L": ["Suparman", "Sutrisno", "Wagiman", "Paijo", "Karyadi", "Sumarno", "Tukimin", "Darsono"],
    "P": ["Sumarni", "Tukiyem", "Ngatini", "Sulastri", "Painem", "Sukarsih", "Warsini", "Juminten"],
}
# Old spellings, as older registry rows and older people still write them.
OLD_SPELLING = {
    "Joko": "Djoko",
    "Yusuf": "Jusuf",
    "Suryani": "Soeryani",
    "Sutrisno": "Soetrisno",
    "Cahyono": "Tjahjono",
    "Santoso": "Santosa",
    "Susanto": "Soesanto",
    "Wahyuni": "Wahjuni",
    "Purnomo": "Poernomo",
    "Slamet": "Slamet",
    "Budiman": "Boediman",
    "Ahmad": "Achmad",
    "Muhammad": "Mochammad",
    "Rahmat": "Rachmat",
}
COMMON_NAMES = [
    ("P", "Sri", "Wahyuni"),
    ("L", "Budi", "Santoso"),
    ("P", "Siti", "Aminah"),
    ("P", "Dewi", "Lestari"),
    ("L", "Agus", "Setiawan"),
    ("L", "Muhammad", "Rizki"),
    ("P", "Sri", "Rahayu"),
    ("L", "Eko", "Prasetyo"),
    ("P", "Nur", "Hasanah"),
    ("L", "Ahmad", "Hidayat"),
]


@dataclass(frozen=True)
class Job:
    jabatan: str
    unit: str  # template: {place} village/kecamatan, {n} number
    weight: float
    titles: tuple[tuple[str, float], ...]  # (title, probability) in order front/back
    bio: tuple[str, ...]  # how holders describe it in a bio
    instansi: str = "Pemerintah {kab}"


JOBS: tuple[Job, ...] = (
    Job(
        "Guru Ahli Pertama",
        "SD Negeri {n} {place}",
        0.20,
        (("S.Pd.", 0.7), ("S.Pd.SD.", 0.1), ("A.Ma.Pd.", 0.1)),
        (
            "guru SDN {n} {place}",
            "guru SD Negeri {n} {place}",
            "guru kelas di SDN {n} {place}",
            "pendidik SD",
            "guru SD",
            "mengajar di SDN {n} {place}",
        ),
    ),
    Job(
        "Guru Ahli Muda",
        "SMP Negeri {n} {place}",
        0.10,
        (("S.Pd.", 0.75), ("M.Pd.", 0.15), ("S.Si.", 0.05)),
        ("guru SMPN {n} {place}", "guru SMP Negeri {n} {place}", "guru mapel IPA SMPN {n}", "guru SMP"),
    ),
    Job(
        "Guru Ahli Madya",
        "SMA Negeri {n} {place}",
        0.05,
        (("S.Pd.", 0.6), ("M.Pd.", 0.3)),
        ("guru SMAN {n} {place}", "guru SMA Negeri {n}", "guru SMA"),
        "Pemerintah Provinsi {prov}",
    ),
    Job(
        "Bidan Terampil",
        "Puskesmas {place}",
        0.08,
        (("A.Md.Keb.", 0.7), ("S.Tr.Keb.", 0.2)),
        (
            "bidan desa {place}",
            "bidan di Puskesmas {place}",
            "bidan",
            "bidan Puskesmas {place}",
            "bidan desa",
        ),
    ),
    Job(
        "Perawat Ahli Pertama",
        "Puskesmas {place}",
        0.06,
        (("S.Kep., Ns.", 0.5), ("A.Md.Kep.", 0.45)),
        ("perawat Puskesmas {place}", "perawat", "nakes di Puskesmas {place}", "perawat di PKM {place}"),
    ),
    Job(
        "Perawat Terampil",
        "RSUD {kabname}",
        0.03,
        (("A.Md.Kep.", 0.8),),
        ("perawat RSUD {kabname}", "perawat", "nakes RSUD"),
    ),
    Job(
        "Dokter Ahli Pertama",
        "Puskesmas {place}",
        0.02,
        (("dr.", 0.95),),
        ("dokter Puskesmas {place}", "dokter umum", "dokter di PKM {place}"),
    ),
    Job(
        "Penyuluh Pertanian Ahli Pertama",
        "Dinas Pertanian",
        0.04,
        (("S.P.", 0.6), ("S.Pt.", 0.2)),
        ("penyuluh pertanian", "PPL Kec. {place}", "penyuluh pertanian di Distan", "penyuluh lapangan"),
    ),
    Job(
        "Pengadministrasi Umum",
        "Kecamatan {place}",
        0.12,
        (("S.E.", 0.2), ("S.Sos.", 0.2), ("A.Md.", 0.15)),
        (
            "staf kecamatan {place}",
            "staf Kantor Camat {place}",
            "ASN Pemkab",
            "PNS kecamatan",
            "staf kecamatan",
        ),
    ),
    Job(
        "Pengadministrasi Perkantoran",
        "Kelurahan {place}",
        0.06,
        (("S.Sos.", 0.3), ("S.E.", 0.2)),
        ("staf Kelurahan {place}", "pegawai kelurahan {place}", "ASN Pemkab"),
    ),
    Job(
        "Analis Kebijakan Ahli Pertama",
        "Badan Perencanaan Pembangunan Daerah",
        0.03,
        (("S.IP.", 0.4), ("M.AP.", 0.3)),
        ("analis di Bappeda", "ASN Bappeda", "PNS Pemkab"),
    ),
    Job(
        "Pranata Komputer Ahli Pertama",
        "Dinas Komunikasi dan Informatika",
        0.03,
        (("S.Kom.", 0.7),),
        ("pranata komputer Diskominfo", "IT Diskominfo", "ASN Kominfo"),
    ),
    Job(
        "Analis Kesehatan",
        "Dinas Kesehatan",
        0.03,
        (("S.KM.", 0.6), ("M.Kes.", 0.2)),
        ("PNS Dinkes", "staf Dinas Kesehatan", "ASN Dinkes", "tenaga kesehatan"),
    ),
    Job(
        "Pengelola Keuangan",
        "Dinas Pendidikan",
        0.04,
        (("S.E.", 0.5), ("S.Ak.", 0.2)),
        ("staf Disdik", "bendahara Dinas Pendidikan", "PNS Disdik"),
    ),
    Job(
        "Kepala Seksi Pemerintahan",
        "Kecamatan {place}",
        0.03,
        (("S.STP.", 0.4), ("S.IP.", 0.3), ("M.Si.", 0.2)),
        ("Kasi Pemerintahan Kec. {place}", "kasi pemerintahan", "ASN Pemkab"),
    ),
    Job("Camat", "Kecamatan {place}", 0.01, (("S.STP.", 0.5), ("M.Si.", 0.5)), ("Camat {place}", "camat")),
    Job("Lurah", "Kelurahan {place}", 0.01, (("S.IP.", 0.5), ("S.Sos.", 0.3)), ("Lurah {place}", "lurah")),
    Job(
        "Penghulu Ahli Pertama",
        "Kantor Urusan Agama {place}",
        0.02,
        (("S.Ag.", 0.6), ("S.H.I.", 0.3)),
        ("penghulu KUA {place}", "penghulu"),
        "Kementerian Agama",
    ),
    Job(
        "Guru Madrasah",
        "MTsN {n} {kabname}",
        0.04,
        (("S.Pd.I.", 0.6), ("S.Ag.", 0.3)),
        ("guru MTsN {n} {kabname}", "guru madrasah", "pengajar MTsN"),
        "Kementerian Agama",
    ),
)

NON_ASN_BIOS = (
    "wiraswasta",
    "guru honorer SDN {n} {place}",
    "guru honorer",
    "karyawan swasta",
    "ibu rumah tangga",
    "mahasiswa",
    "pedagang",
    "petani",
    "guru swasta di SD IT {place}",
    "bidan praktik mandiri",
    "freelancer",
    "pengusaha kuliner",
    "karyawan BUMN",
    "driver ojol",
    "relawan pendidikan",
    "tenaga honorer kecamatan",
    "guru les privat",
    "pensiunan PNS",
    "",
)
PERSONAL = (
    "pecinta kopi",
    "Lillahi ta'ala",
    "suka jalan-jalan",
    "hidup sederhana",
    "alumni UNJ",
    "pecinta kucing",
    "semangat mengabdi",
    "",
    "",
    "",
)
PERSONAL_GENDER = {
    "P": ("ibu dari 2 anak", "istri dan ibu", "ibu 3 anak"),
    "L": ("bapak dua anak", "ayah dari 3 anak", "suami dan ayah"),
}
HANDLE_WORDS = (
    "kopi",
    "senja",
    "pelangi",
    "mawar",
    "melati",
    "rajawali",
    "pejuang",
    "santai",
    "ceria",
    "bintang",
    "langit",
    "cahaya",
    "embun",
    "angin",
    "samudra",
)


def zipf_choice(rng: random.Random, items: list[str], s: float = 0.5) -> str:
    weights = [1.0 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights=weights, k=1)[0]


@dataclass
class Region:
    provinsi: str
    kabupaten_kota: str
    places: list[str]

    @property
    def kabname(self) -> str:
        return self.kabupaten_kota.replace("Kabupaten ", "").replace("Kota ", "")


def regions(seed: int = 1) -> list[Region]:
    rng = random.Random(seed)
    out = []
    for prov, kabs in PROVINCES.items():
        for kab in kabs:
            places = rng.sample([h + t for h in _PLACE_HEAD for t in _PLACE_TAIL], 9)
            out.append(Region(prov, kab, places))
    return out


def make_nip(rng: random.Random, gender: str, used: set[str]) -> tuple[str, date]:
    while True:
        birth = date(rng.randint(1965, 1999), rng.randint(1, 12), rng.randint(1, 28))
        age = rng.randint(22, 35)
        tmt_year = min(birth.year + age, 2024)
        tmt = date(tmt_year, rng.randint(1, 12), 1)
        months = (tmt.year - birth.year) * 12 + tmt.month - birth.month
        if months < 18 * 12:
            continue
        nip = f"{birth:%Y%m%d}{tmt:%Y%m}{'1' if gender == 'L' else '2'}{rng.randint(1, 999):03d}"
        if nip not in used:
            used.add(nip)
            return nip, birth


@dataclass
class NamePools:
    """Given names by gender, ordered from most to least common (drawn with a Zipf-like skew)."""

    first: dict[str, list[str]]
    last: dict[str, list[str]]

    def __post_init__(self) -> None:
        self._cum: dict[tuple[str, str], list[float]] = {}
        for kind, pools in (("first", self.first), ("last", self.last)):
            for gender, items in pools.items():
                total, cum = 0.0, []
                for i in range(len(items)):
                    total += 1.0 / (i + 1) ** 0.5
                    cum.append(total)
                self._cum[(kind, gender)] = cum

    def draw(self, rng: random.Random, kind: str, gender: str) -> str:
        items = (self.first if kind == "first" else self.last)[gender]
        cum = self._cum[(kind, gender)]
        return items[bisect.bisect(cum, rng.random() * cum[-1])]


SMALL_POOLS = NamePools({"P": FEMALE_FIRST, "L": MALE_FIRST}, {"P": FEMALE_LAST, "L": MALE_LAST})
_SYLLABLES = [
    "su",
    "har",
    "ti",
    "wa",
    "ni",
    "ka",
    "ra",
    "di",
    "yan",
    "sri",
    "mar",
    "na",
    "lia",
    "ja",
    "ya",
    "to",
    "no",
    "wi",
    "da",
    "sa",
    "ri",
    "ma",
    "ti",
    "ah",
    "in",
    "ar",
    "man",
    "dra",
    "ko",
    "pu",
    "tra",
    "ba",
    "gus",
    "ha",
    "dja",
    "le",
    "nur",
    "ro",
    "ham",
    "fi",
    "zal",
    "an",
    "ta",
    "se",
]


def national_pools(seed: int = 7, size: int = 3000) -> NamePools:
    """Pools large enough for a national registry: the common names first, then invented ones.

    With about 3,000 given names per gender and position, the most common full names are shared by
    a few hundred people per million, as in real registries, not by thousands.
    """
    rng = random.Random(seed)

    def invent(base: list[str], suffixes: tuple[str, ...]) -> list[str]:
        out, seen = list(base), set(base)
        while len(out) < size:
            word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))) + rng.choice(suffixes)
            word = word.capitalize()
            if 4 <= len(word) <= 12 and word not in seen:
                seen.add(word)
                out.append(word)
        return out

    return NamePools(
        {"P": invent(FEMALE_FIRST, ("", "i", "a", "wati")), "L": invent(MALE_FIRST, ("", "o", "an", "di"))},
        {
            "P": invent(FEMALE_LAST, ("", "ni", "sih", "yanti")),
            "L": invent(MALE_LAST, ("", "to", "wan", "no")),
        },
    )


def national_regions(seed: int = 7, provinces: int = 38, kabupaten: int = 514) -> list[Region]:
    """Fictional provinces and kabupaten/kota in Indonesia's numbers (38 and 514)."""
    rng = random.Random(seed)
    heads = [
        "Tanjung",
        "Sungai",
        "Batu",
        "Bukit",
        "Teluk",
        "Muara",
        "Air",
        "Pulau",
        "Padang",
        "Lembah",
        "Karang",
        "Pantai",
        "Rawa",
        "Gunung",
        "Danau",
        "Kota",
        "Lereng",
        "Tanah",
        "Kuala",
        "Pematang",
    ]
    tails = [
        "Sari",
        "Raya",
        "Jernih",
        "Luhur",
        "Baru",
        "Damai",
        "Permai",
        "Manis",
        "Indah",
        "Jaya",
        "Asri",
        "Sejuk",
        "Luas",
        "Emas",
        "Harapan",
        "Terang",
        "Sunyi",
        "Tinggi",
        "Gede",
        "Lestari",
        "Tenang",
        "Hijau",
        "Merah",
        "Kencana",
        "Mulia",
        "Makmur",
        "Sentosa",
        "Bening",
        "Agung",
        "Biru",
    ]
    names = rng.sample([f"{h} {t}" for h in heads for t in tails], kabupaten + provinces)
    provs, kabs = names[:provinces], names[provinces:]
    places_pool = [h + t for h in _PLACE_HEAD for t in _PLACE_TAIL]
    out = []
    for i, kab in enumerate(kabs):
        kind = "Kota" if rng.random() < 0.18 else "Kabupaten"
        out.append(Region(provs[i % provinces], f"{kind} {kab}", rng.sample(places_pool, 12)))
    return out


def person_name(
    rng: random.Random, gender: str, common_rate: float = 0.02, pools: NamePools = SMALL_POOLS
) -> list[str]:
    """Name words (display case): common names get a boost so the registry holds many namesakes."""
    if rng.random() < common_rate:
        options = [c for c in COMMON_NAMES if c[0] == gender]
        _, first, last = rng.choice(options)
        words = [first, last]
    elif rng.random() < 0.03:
        return [rng.choice(SINGLE_NAMES[gender])]
    else:
        words = [pools.draw(rng, "first", gender), pools.draw(rng, "last", gender)]
    if rng.random() < 0.18:  # a third word
        extra = pools.draw(rng, "last", gender)
        if extra not in words:
            words.insert(1, extra) if rng.random() < 0.5 else words.append(extra)
    return words


def _title_for(rng: random.Random, job: Job, gender: str) -> tuple[str, str]:
    front, back = [], []
    for title, p in job.titles:
        if rng.random() < p:
            (front if title == "dr." else back).append(title)
            if title != "dr.":
                break
    if rng.random() < 0.08:
        front.insert(0, "Hj." if gender == "P" else "H.")
    if not back and rng.random() < 0.05:
        front.append("Dra." if gender == "P" else "Drs.")
    return " ".join(front), ", ".join(back)


def _fill(template: str, region: Region, place: str, n: int) -> str:
    return template.format(
        place=place, n=n, kabname=region.kabname, kab=region.kabupaten_kota, prov=region.provinsi
    )


def generate_records(
    n: int,
    seed: int = 42,
    region_list: list[Region] | None = None,
    common_rate: float = 0.02,
    style_noise: bool = True,
    pools: NamePools = SMALL_POOLS,
) -> Iterator[dict[str, Any]]:
    """``n`` fictional registry rows in the import's canonical shape (plus hidden ``_`` fields)."""
    rng = random.Random(seed)
    regs = region_list or regions(seed)
    used: set[str] = set()
    weights = [j.weight for j in JOBS]
    for _ in range(n):
        gender = "P" if rng.random() < 0.55 else "L"
        region = rng.choice(regs)
        job = rng.choices(JOBS, weights=weights, k=1)[0]
        while job.jabatan.startswith("Bidan") and gender == "L":  # midwives are women
            job = rng.choices(JOBS, weights=weights, k=1)[0]
        place = rng.choice(region.places)
        num = rng.randint(1, 12)
        words = person_name(rng, gender, common_rate, pools)
        nip, _ = make_nip(rng, gender, used)
        front, back = _title_for(rng, job, gender)
        nama = " ".join(OLD_SPELLING.get(w, w) if rng.random() < 0.05 else w for w in words)
        rec = {
            "nip": nip,
            "nama": nama,
            "gelar_depan": front,
            "gelar_belakang": back,
            "jabatan": job.jabatan,
            "instansi": _fill(job.instansi, region, place, num),
            "unit_kerja": _fill(job.unit, region, place, num),
            "kabupaten_kota": region.kabupaten_kota,
            "provinsi": region.provinsi,
            "akun": "",
            "_gender": gender,
            "_words": words,
            "_job": job,
            "_region": region,
            "_place": place,
            "_n": num,
        }
        if style_noise:
            r = rng.random()
            if r < 0.25:  # BKN exports are often all capitals
                rec["nama"] = rec["nama"].upper()
            elif r < 0.35:  # titles inside the name column, columns empty
                inner = f"{front} {rec['nama']}".strip()
                rec["nama"] = f"{inner}, {back}" if back else inner
                rec["gelar_depan"], rec["gelar_belakang"] = "", ""
            elif r < 0.40 and back:  # titles without dots
                rec["gelar_belakang"] = back.replace(".", "").replace(", ", " ")
        yield rec


def public_record(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if not k.startswith("_")}


def _personal(rng: random.Random, gender: str) -> str:
    return rng.choice(PERSONAL_GENDER[gender]) if rng.random() < 0.25 else rng.choice(PERSONAL)


def _handle_from(rng: random.Random, words: list[str], gender: str, titles: str) -> str:
    first, last = words[0].lower(), words[-1].lower()
    if first == last:  # one-word names ("Sumarno")
        last = ""
    r = rng.random()
    digits = str(rng.randint(1, 99)) if rng.random() < 0.6 else ""
    if r < 0.30:
        return f"{first}_{last}{digits}"
    if r < 0.45:
        return f"{first}{last}{digits}"
    if r < 0.55:
        return f"{first}.{last}".rstrip(".")
    if r < 0.68:
        honor = "bu" if gender == "P" else "pak"
        suffix = "." + titles.split(",")[0].replace(".", "").replace(" ", "").lower() if titles else digits
        return f"{honor}.{first}{suffix}"
    if r < 0.78:
        return f"{first}{rng.randint(70, 99)}"
    return f"{rng.choice(HANDLE_WORDS)}_{rng.choice(HANDLE_WORDS)}{rng.randint(1, 999)}"


DISPLAY_STYLES = ("full", "titled", "honorific", "first", "full_job", "upper", "nickname")
LOCATION_STYLES = ("kab", "kab_prov", "prov", "desa", "other", "country", "empty")
# How much an ASN account says about its owner. "rich": name, job and workplace, usually the
# region; "medium": name and one or two of job, region, status; "weak": little beyond a name.
PROFILES: dict[str, dict[str, Any]] = {
    "rich": {
        "share": 0.55,
        "job": 1.0,
        "workplace": 0.85,
        "marker": 0.3,
        "display": (0.40, 0.20, 0.15, 0.0, 0.15, 0.10, 0.0),
        "location": (0.55, 0.20, 0.05, 0.05, 0.03, 0.02, 0.10),
    },
    "medium": {
        "share": 0.35,
        "job": 0.7,
        "workplace": 0.3,
        "marker": 0.25,
        "display": (0.45, 0.15, 0.15, 0.05, 0.05, 0.15, 0.0),
        "location": (0.40, 0.10, 0.15, 0.0, 0.05, 0.05, 0.25),
    },
    "weak": {
        "share": 0.10,
        "job": 0.0,
        "workplace": 0.0,
        "marker": 0.1,
        "display": (0.30, 0.0, 0.25, 0.20, 0.0, 0.10, 0.15),
        "location": (0.10, 0.0, 0.15, 0.0, 0.15, 0.10, 0.50),
    },
}


def _display_from(
    rng: random.Random,
    words: list[str],
    gender: str,
    rec: dict[str, Any] | None,
    bio_job: str,
    weights: tuple[float, ...] = (0.42, 0.13, 0.13, 0.08, 0.10, 0.07, 0.07),
) -> str:
    full = " ".join(words)
    honor = "Bu" if gender == "P" else "Pak"
    style = rng.choices(DISPLAY_STYLES, weights=weights, k=1)[0]
    back = (rec or {}).get("gelar_belakang") or ""
    if style == "titled" and back:
        return f"{full}, {back}"
    if style == "honorific":
        return f"{honor} {words[0]}"
    if style == "first":
        return words[0]
    if style == "full_job" and bio_job:
        return f"{full} | {bio_job}"
    if style == "upper":
        return full.upper()
    if style == "nickname":
        return rng.choice(
            ["Bunda Cantik", "Kopi Senja", "Pejuang Rupiah", "Si Ceria", "Langit Biru", "Anak Desa"]
        )
    return full


def _location(
    rng: random.Random,
    region: Region,
    place: str,
    regs: list[Region],
    weights: tuple[float, ...] = (0.40, 0.15, 0.07, 0.05, 0.05, 0.04, 0.24),
) -> str:
    style = rng.choices(LOCATION_STYLES, weights=weights, k=1)[0]
    if style == "kab":
        return region.kabname
    if style == "kab_prov":
        return f"{region.kabname}, {region.provinsi}"
    if style == "prov":
        return region.provinsi
    if style == "desa":
        return f"Desa {place}, {region.kabname}"
    if style == "other":
        return rng.choice(regs).kabname
    if style == "country":
        return "Indonesia"
    return ""


def asn_account(
    rng: random.Random,
    rec: dict[str, Any],
    regs: list[Region],
    platform: str = "x",
    profile: str | None = None,
) -> dict[str, Any]:
    """An account run by the civil servant of ``rec``; ``profile`` says how much it reveals."""
    words, gender, region, place = rec["_words"], rec["_gender"], rec["_region"], rec["_place"]
    job: Job = rec["_job"]
    profile = profile or rng.choices(list(PROFILES), weights=[p["share"] for p in PROFILES.values()], k=1)[0]
    prof = PROFILES[profile]
    bio_job = ""
    if rng.random() < prof["job"]:
        with_place = [t for t in job.bio if "{" in t]
        plain = [t for t in job.bio if "{" not in t] or list(job.bio)
        pool = with_place if with_place and rng.random() < prof["workplace"] else plain
        bio_job = _fill(rng.choice(pool), region, place, rec["_n"])
    parts = [bio_job]
    if rng.random() < prof["marker"]:
        parts.append(rng.choice(["PNS", "ASN", "abdi negara", f"ASN {region.kabname}"]))
    parts.append(_personal(rng, gender))
    rng.shuffle(parts)
    titles = rec.get("gelar_belakang") or ""
    return {
        "platform": platform,
        "handle": _handle_from(rng, words, gender, titles),
        "display_name": _display_from(rng, words, gender, rec, bio_job, prof["display"]),
        "bio": " | ".join(p for p in parts if p),
        "location": _location(rng, region, place, regs, prof["location"]),
        "_profile": profile,
    }


def other_account(
    rng: random.Random, words: list[str], gender: str, regs: list[Region], platform: str = "x"
) -> dict[str, Any]:
    """An account of someone who is not in the registry (possibly sharing a registry name)."""
    region = rng.choice(regs)
    place = rng.choice(region.places)
    bio = _fill(rng.choice(NON_ASN_BIOS), region, place, rng.randint(1, 12)) if rng.random() < 0.7 else ""
    personal = _personal(rng, gender)
    return {
        "platform": platform,
        "handle": _handle_from(rng, words, gender, ""),
        "display_name": _display_from(rng, words, gender, None, bio),
        "bio": " | ".join(p for p in (bio, personal) if p),
        "location": _location(rng, region, place, regs),
    }
