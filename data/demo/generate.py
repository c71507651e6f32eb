# ruff: noqa: E501 - the hand-written posts and persona rows read best one per line
"""Write the demo data set: hand-written FICTIONAL posts about the demo election, in every import format.

    python data/demo/generate.py        # rewrites the files next to this script (deterministic)

Everything here is invented: people, accounts, places, parties (configs/elections/demo.yaml). The
texts are written by hand, one by one; this script only renders them into the formats Netra imports,
using snscrape's and twscrape's own dataclasses so that field names and shapes are exactly theirs:

- x_snscrape_tweets.jsonl       snscrape Tweet JSONL (with retweets, replies, quotes)
- x_twscrape_tweets.jsonl       twscrape tweet JSON lines (space-separated dates, bookmarkedCount)
- telegram_channels.jsonl       snscrape TelegramPost JSONL (public channels)
- telegram_export/result.json   Telegram Desktop export of a group chat (with service messages)
- mastodon_statuses.json        Mastodon REST API statuses (array), with a boost
- mastodon_toots.jsonl          snscrape Toot/Boost JSONL
- reddit.jsonl                  snscrape Reddit Submission/Comment JSONL
- facebook_posts.csv, instagram_posts.csv, tiktok_videos.csv (+ .mapping.yaml next to each)
- personas.yaml                 the civil-servant (ASN) personas, as a registry would list them
- broken/                       deliberately bad lines, skipped by directory imports (.netraignore)
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
MAPPINGS = HERE.parent.parent / "configs" / "mappings"
WIB = dt.timezone(dt.timedelta(hours=7))
rng = random.Random(2026)


def at(when: str) -> dt.datetime:
    """'10-03 19:40' -> 2026-10-03 19:40 WIB (aware)."""
    day, clock = when.split()
    month, d = day.split("-")
    hour, minute = clock.split(":")
    return dt.datetime(2026, int(month), int(d), int(hour), int(minute), tzinfo=WIB)


# ------------------------------------------------------------------------------------------ people


@dataclass
class Account:
    key: str
    platform: str  # x | telegram | mastodon | reddit | facebook | instagram | tiktok
    handle: str | None
    display_name: str
    bio: str = ""
    followers: int = 100
    location: str = ""
    uid: int = 0
    asn: dict | None = None  # registry view of the person behind an ASN persona
    fmt: str = "snscrape"  # for X: snscrape or twscrape


def asn(nama: str, depan: str, belakang: str, jabatan: str, instansi: str, unit: str, kab: str,
        declared: bool, note: str, prov: str = "Nusa Jaya") -> dict:  # fmt: skip
    return {"nama": nama, "gelar_depan": depan, "gelar_belakang": belakang, "jabatan": jabatan,
            "instansi": instansi, "unit_kerja": unit, "kabupaten_kota": kab, "provinsi": prov,
            "declared": declared, "note": note}  # fmt: skip


PEMKAB = "Pemerintah Kabupaten Tanjung Sari"
KAB = "Kabupaten Tanjung Sari"
ACCOUNTS = [
    # ---- ASN personas (15+1) ------------------------------------------------------------------
    Account("budi", "x", "budi_guru88", "Budi Santoso, S.Pd", "Guru SDN 2 Tanjung Sari | ASN Pemkab Tanjung Sari | Ayah 2 anak 👨‍👧‍👦",
            412, "Tanjung Sari, Nusa Jaya",
            asn=asn("Budi Santoso", "", "S.Pd", "Guru Ahli Muda", PEMKAB, "SD Negeri 2 Tanjung Sari", KAB, True,
                    "openly partisan for 01 (BAYU)")),
    Account("rahmat", "x", "camat_pesisir_rahmat", "Drs. H. Rahmat Hidayat, M.Si", "Camat Pesisir, Kab. Tanjung Sari. Akun pribadi.",
            2210, "Kecamatan Pesisir",
            asn=asn("Rahmat Hidayat", "Drs. H.", "M.Si", "Camat", PEMKAB, "Kecamatan Pesisir", KAB, True,
                    "mostly official information, a few posts praising the incumbent (02)")),
    Account("abdi", "x", "abdi_negara_tjs", "Abdi Negara 🇮🇩", "PNS biasa di Tanjung Sari. Opini pribadi, bukan instansi. Kominfo garis keras 😅",
            187, "Tanjung Sari",
            asn=asn("Wahyu Nugroho", "", "S.Kom", "Pranata Komputer Ahli Pertama", PEMKAB,
                    "Dinas Komunikasi dan Informatika", KAB, False,
                    "pseudonymous; opposes 02 and supports 03 (RAGA); the bio hints at Kominfo")),
    Account("agus", "x", "aguskurniawan_st", "Agus Kurniawan", "Teknik sipil. Jalan & jembatan. Kopi hitam ☕",
            95, "Tanjung Sari",
            asn=asn("Agus Kurniawan", "", "S.T.", "Teknik Jalan dan Jembatan Ahli Pertama", PEMKAB,
                    "Dinas Pekerjaan Umum dan Penataan Ruang", KAB, False,
                    "a civil servant who stays neutral: roads, football, coffee")),
    Account("sri", "x", "sri_wahyuni_bidan", "Sri Wahyuni, A.Md.Keb", "Bidan Puskesmas Sukamaju 👶 | Abdi negara | IG: sriwahyuni.bidan",
            845, "Kab. Tanjung Sari", fmt="twscrape",
            asn=asn("Sri Wahyuni", "", "A.Md.Keb", "Bidan Terampil", PEMKAB, "Puskesmas Sukamaju", KAB, True,
                    "supports the incumbent 02 (HERA) between health tips")),
    Account("maya", "x", "dr_maya_lestari", "dr. Maya Lestari, Sp.OG", "Dokter kandungan RSUD Tanjung Sari. Tips kehamilan & kesehatan ibu 🤰",
            5320, "Tanjung Sari", fmt="twscrape",
            asn=asn("Maya Lestari", "dr.", "Sp.OG", "Dokter Ahli Madya", PEMKAB, "RSUD Tanjung Sari", KAB, True,
                    "health content; one post for Gubernur 02 (FIRMAN), one reminder that ASN must be neutral")),
    Account("yuliana", "telegram", None, "Yuliana Pratiwi, S.Pd.SD", uid=5550001,
            asn=asn("Yuliana Pratiwi", "", "S.Pd.SD", "Guru Ahli Pertama", PEMKAB, "SD Negeri 5 Sukamaju", KAB, True,
                    "Telegram teachers' group: pushes colleagues towards 01")),
    Account("darto", "telegram", None, "Pak Darto TU SMPN1", uid=5550002,
            asn=asn("Sudarto", "", "", "Pengadministrasi Perkantoran", PEMKAB, "SMP Negeri 1 Tanjung Sari", KAB, False,
                    "relays 'instructions' to support 02 in the teachers' group; no title in the display name")),
    Account("rudi", "mastodon", "rudi_hartono@sosial.example", "Rudi Hartono, S.T.", "<p>Perencana di Bappeda Kab. Tanjung Sari.<br>Opini pribadi.</p>",
            230, uid=109000000000000101,
            asn=asn("Rudi Hartono", "", "S.T.", "Perencana Ahli Pertama", PEMKAB,
                    "Badan Perencanaan Pembangunan Daerah", KAB, True, "supports 03 (RAGA) on Mastodon")),
    Account("dewi", "mastodon", "dewi_kartika@lain.example", "Dewi Kartika, S.Sos", "<p>ASN | Kecamatan Sukamaju | suka baca 📚</p>",
            64, uid=109000000000000102,
            asn=asn("Dewi Kartika", "", "S.Sos", "Analis Kebijakan Ahli Pertama", PEMKAB, "Kecamatan Sukamaju", KAB, True,
                    "boosts and writes posts for 03 (RAGA)")),
    Account("nurhayati", "facebook", "nurhayati.se", "Hj. Nurhayati, S.E.", "Kasubbag Keuangan Dinkes Kab. Tanjung Sari",
            1630,
            asn=asn("Nurhayati", "Hj.", "S.E.", "Kepala Subbagian Keuangan", PEMKAB, "Dinas Kesehatan", KAB, True,
                    "Facebook posts for 02 (HERA)")),
    Account("irawan", "facebook", "lurah.sukamaju", "Bambang Irawan (Lurah Sukamaju)", "Akun pribadi Lurah Sukamaju",
            3890,
            asn=asn("Bambang Irawan", "", "S.IP", "Lurah", PEMKAB, "Kelurahan Sukamaju", KAB, True,
                    "shares a first name with candidate 01 (Bambang Sutrisno) but leans 02")),
    Account("ratna_w", "instagram", "bu.ratna.spd", "Ratna Wulandari, S.Pd 🌸", "Guru IPA SMPN 3 Tanjung Sari | ibu 3 anak | 🌿",
            1210,
            asn=asn("Ratna Wulandari", "", "S.Pd", "Guru Ahli Muda", PEMKAB, "SMP Negeri 3 Tanjung Sari", KAB, True,
                    "shares a first name with candidate 03 (Ratna Dewi Lestari); mostly daily life, one post for 03")),
    Account("hendro", "tiktok", "penyuluh.hendro", "Hendro Wibowo, S.P.", "Penyuluh Pertanian Lapangan 🌾 BPP Pesisir",
            18400,
            asn=asn("Hendro Wibowo", "", "S.P.", "Penyuluh Pertanian Ahli Pertama", PEMKAB, "Dinas Pertanian", KAB, True,
                    "farming videos; endorses Gubernur 01 (DAMAI)")),
    Account("eka", "tiktok", "eka.perawat", "Eka Putri Rahayu, S.Kep., Ns.", "Perawat IGD RSUD Tanjung Sari 🏥 | PPPK 2024",
            9300,
            asn=asn("Eka Putri Rahayu", "", "S.Kep., Ns.", "Perawat Ahli Pertama (PPPK)", PEMKAB, "RSUD Tanjung Sari", KAB, True,
                    "night-shift humour; one video attacking 01")),
    Account("fajar", "reddit", "pns_nusajaya", "pns_nusajaya",
            asn=asn("Fajar Ramadhan", "", "S.H.", "Auditor Ahli Pertama", "Pemerintah Provinsi Nusa Jaya",
                    "Inspektorat Provinsi Nusa Jaya", "Kota Nusa Jaya", False,
                    "pseudonymous Reddit account; argues for Gubernur 02 (FIRMAN)")),
    # ---- everyone else -------------------------------------------------------------------------
    Account("relawan_bayu", "x", "relawan_bayu01", "Relawan BAYU 01", "Relawan resmi Bambang–Yohanes. Tanjung Sari Maju! #BAYUMenang", 6400),
    Account("hendra", "x", "hendrawijaya_tjs", "Hendra Wijaya", "Bupati Tanjung Sari 2021–2026. Calon Bupati nomor urut 02.", 48200),
    Account("ratna_c", "x", "ratnadewi_raga", "Ratna Dewi Lestari", "Calon Bupati Tanjung Sari no. 03 bersama Agus Salim Harahap. #RAGAPerubahan", 15700),
    Account("warga", "x", "warga_tjs", "Warga Tanjung Sari", "Info & keluh kesah warga Kab. Tanjung Sari. DM untuk info.", 22100),
    Account("kabar", "x", "kabar_nusajaya", "Kabar Nusa Jaya", "Portal berita Provinsi Nusa Jaya (fiktif).", 88000),
    Account("bawaslu", "x", "bawaslu_tjs", "Bawaslu Kab. Tanjung Sari", "Akun resmi pengawas pemilu Kabupaten Tanjung Sari (demo).", 7600),
    Account("kpu", "x", "kpu_tanjungsari", "KPU Kab. Tanjung Sari", "Informasi tahapan Pilkada 2026 Kab. Tanjung Sari (demo).", 9100),
    Account("rina", "x", "ojol_rina", "Rina 🛵", "driver ojol cewek. jgn cancel orderan ya kak 🙏", 530),
    Account("dimas", "x", "mhs_dimas", "Dimas", "mahasiswa tingkat akhir. skripsi kapan selesai", 310),
    Account("kuliner", "x", "kuliner_tjs", "Kuliner Tanjung Sari", "Review jajanan & warung se-Tanjung Sari 🍜", 12900),
    Account("bola", "x", "bola_nusajaya", "Persinusa Mania", "Suporter Persinusa Nusa Jaya ⚽💙", 4100),
    Account("ani", "x", "ibu_ani_olshop", "Ani Olshop", "jual gamis, mukena, hijab. COD Tanjung Sari", 2700),
    Account("rt07", "x", "pak_rt07_sukamaju", "Pak RT 07", "Ketua RT 07 Sukamaju. Info lingkungan.", 640),
    Account("lukman", "x", "wartawan_lukman", "Lukman Hakim", "Jurnalis lepas. Liputan Nusa Jaya.", 3300, fmt="twscrape"),
    Account("nelayan", "x", "nelayan_pesisir", "Nelayan Pesisir", "Suara nelayan Kecamatan Pesisir 🎣", 1450, fmt="twscrape"),
    Account("genz", "x", "genz_tjs", "anak tjs", "19. pemilih pemula. vibes only", 880, fmt="twscrape"),
    Account("darmawan", "x", "darmawan_damai", "Darmawan Prasetyo", "Calon Gubernur Nusa Jaya no. 01 | #DAMAINusaJaya", 31000, fmt="twscrape"),
    Account("fitri", "x", "fitriani_firman", "Fitriani Nasution", "Calon Gubernur Nusa Jaya nomor 02. #FIRMANUntukRakyat", 27500, fmt="twscrape"),
    Account("petani", "x", "petani_milenial", "Petani Milenial", "Nanam cabe, panen cuan 🌶️", 5100, fmt="twscrape"),
    Account("info_tg", "telegram", "infotanjungsari", "Info Tanjung Sari", "Kanal info seputar Kabupaten Tanjung Sari.", 15400),
    Account("relawan_tg", "telegram", "relawanbayu01", "Relawan BAYU 01 (kanal)", "Kanal resmi relawan Bambang–Yohanes.", 3900),
    Account("kabar_tg", "telegram", "kabarnusajaya", "Kabar Nusa Jaya", "Berita Provinsi Nusa Jaya.", 26800),
    Account("loker_tg", "telegram", "loker_tjs", "Loker Tanjung Sari", "Lowongan kerja Tanjung Sari & sekitarnya.", 11200),
    Account("nining", "telegram", None, "Bu Nining (honorer)", uid=5550003),
    Account("admin_grup", "telegram", None, "Admin Grup Guru TJS", uid=5550004),
    Account("slamet", "telegram", None, "Pak Slamet Komite", uid=5550005),
    Account("raga_m", "mastodon", "ragaperubahan@sosial.example", "RAGA Perubahan", "<p>Relawan Ratna–Agus. #RAGAPerubahan</p>", 1900, uid=109000000000000201),
    Account("jurnalis", "mastodon", "jurnalis_bebas@sosial.example", "Jurnalis Bebas", "<p>Catatan liputan Nusa Jaya.</p>", 770, uid=109000000000000202),
    Account("tekno", "mastodon", "tekno_tjs@mastodon.example", "Tekno TJS", "<p>Linux, self-hosting, kopi.</p>", 410, uid=109000000000000203),
    Account("hera_m", "mastodon", "hera_update@sosial.example", "HERA Update", "<p>Kabar kerja Hendra–Siti.</p>", 1200, uid=109000000000000204),
    Account("watch", "mastodon", "nusajaya_watch@mastodon.example", "Nusa Jaya Watch", "", 560),
    Account("kopi", "mastodon", "kopi_senja@mastodon.example", "Kopi Senja ☕", "", 150),
    Account("tjs_watch", "reddit", "tjs_watch", "tjs_watch"),
    Account("warga42", "reddit", "warga42", "warga42"),
    Account("rantau", "reddit", "mahasiswa_rantau", "mahasiswa_rantau"),
    Account("hera_fb", "facebook", "relawanhera", "Relawan HERA Bersatu", "Halaman relawan Hendra–Siti", 12800),
    Account("kuliner_fb", "facebook", "infokulinertjs", "Info Kuliner Tanjung Sari", "", 20400),
    Account("tini", "facebook", "warungbutini", "Warung Bu Tini", "Nasi uduk & gorengan sejak 1998", 890),
    Account("karang", "facebook", "karangtarunasukamaju", "Karang Taruna Sukamaju", "", 2300),
    Account("bambang_ig", "instagram", "bambangsutrisno.official", "Bambang Sutrisno", "Calon Bupati Tanjung Sari No. 01 🤝 Yohanes Manurung", 40100),
    Account("explore", "instagram", "tanjungsari.explore", "Explore Tanjung Sari", "Wisata & kuliner Tanjung Sari 🏝️", 56000),
    Account("kopi_ig", "instagram", "kopi.pesisir", "Kopi Pesisir", "Coffee shop | Jl. Pantai No. 7", 3100),
    Account("firman_ig", "instagram", "firman.untukrakyat", "FIRMAN Untuk Rakyat", "Fitriani–Made untuk Nusa Jaya 💚", 22000),
    Account("viral", "tiktok", "tjs.viral", "TJS Viral", "yang viral di tanjung sari", 120000),
    Account("masak", "tiktok", "bang.jago.masak", "Bang Jago Masak", "resep anak kos 🍳", 45000),
    Account("raga_tt", "tiktok", "relawan.raga", "Relawan RAGA 03", "Perubahan dimulai dari desa", 8700),
]
BY_KEY = {a.key: a for a in ACCOUNTS}
for i, a in enumerate(ACCOUNTS):
    a.uid = a.uid or 1_400_000 + i * 7919


@dataclass
class Note:
    """One hand-written post. ``kind`` is retweet/reply/quote/boost for the platforms that have them."""

    who: str
    when: str
    text: str
    kind: str | None = None
    ref: int | None = None  # index (in the same platform list) of the post replied to / shared
    extra: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------------------- X posts
# snscrape file. Retweets/replies/quotes point at an earlier index in this list.
X_SNSCRAPE = [
    Note("kpu", "09-25 08:00", "Hari ini dimulai masa kampanye Pilkada Kab. Tanjung Sari 2026 (25 Sep – 23 Nov). Mari berkampanye dengan santun, tanpa hoaks dan politik uang. #PilkadaDamai #PilkadaTanjungSari"),
    Note("bawaslu", "09-25 09:30", "Pengingat: ASN, TNI/Polri dan kepala desa dilarang terlibat kampanye, termasuk like/share/komentar dukungan di medsos. Laporkan pelanggaran ke Bawaslu. #ASNNetral"),
    Note("budi", "09-26 20:15", "Alhamdulillah, hari pertama kampanye. Pak Bambang dari dulu peduli guru honorer, semoga amanah 🙏 #BAYUMenang"),
    Note("relawan_bayu", "09-27 10:00", "Bambang–Yohanes: pendidikan gratis sampai SMA, tunjangan guru honorer naik! Nomor 01 ✊ #BAYUMenang #01Menang"),
    Note("budi", "09-27 10:42", "", kind="retweet", ref=3),
    Note("warga", "09-27 13:05", "Jalan Sukamaju–Pesisir rusak parah lagi. Lubangnya udah kayak kolam ikan 🐟 Tolong dong @pemkabtjs"),
    Note("agus", "09-27 15:30", "@warga_tjs Sudah masuk rencana perbaikan tahun ini, aspal baru nunggu musim hujan reda. Sabar ya 🙏", kind="reply", ref=5),
    Note("hendra", "09-28 07:00", "Lima tahun kita bangun 42 km jalan desa, 3 puskesmas baru, dan beasiswa 1.200 anak. Kerja belum selesai. Lanjutkan! #LanjutkanHendra #02Lanjutkan"),
    Note("rahmat", "09-28 08:10", "Kerja nyata Pak Bupati terasa sampai pesisir. Puskesmas Pesisir sekarang buka 24 jam. Terima kasih 👍", kind="quote", ref=7),
    Note("abdi", "09-28 09:02", "42 km jalan desa katanya. Coba lewat Sukamaju–Pesisir, itu jalan atau sungai? 🙃 #RAGAPerubahan"),
    Note("ratna_c", "09-28 16:00", "Perubahan tidak datang dari janji, tapi dari keberanian. Kami akan buka data anggaran desa untuk semua warga. #RAGAPerubahan #03Bisa"),
    Note("abdi", "09-28 16:20", "", kind="retweet", ref=10),
    Note("rina", "09-29 06:45", "pagi2 udah dapet orderan ke pasar, rezeki anak soleha 🛵✨"),
    Note("dimas", "09-29 22:10", "dosen pembimbing ngilang lagi. skripsi ku nasibmu kini 😭"),
    Note("kuliner", "09-30 12:00", "Mie ayam Pak Kumis di depan SMPN 1 Tanjung Sari masih juara. 13rb udah pake pangsit 🍜 #KulinerTanjungSari"),
    Note("bola", "09-30 19:30", "PERSINUSA MENANG 2-1!!! Gol menit 89 bikin jantungan ⚽💙"),
    Note("agus", "09-30 21:00", "Nonton Persinusa sambil ngopi. Gol terakhir itu rezeki 😂 #Persinusa"),
    Note("budi", "10-01 19:55", "Bapak ibu guru, jangan lupa tanggal 27 November. Yang sudah terbukti peduli sama kita siapa? Ya nomor 1 lah 😁 #01Menang"),
    Note("warga", "10-01 20:30", "@budi_guru88 Pak, bapak kan ASN? Emang boleh kampanye gitu?", kind="reply", ref=17),
    Note("budi", "10-01 20:41", "@warga_tjs Ini akun pribadi mas, cuma ngingetin aja kok 😅", kind="reply", ref=18),
    Note("bawaslu", "10-02 09:00", "Akun pribadi pun tetap terikat aturan netralitas bagi ASN. Dukungan terbuka di media sosial dapat dilaporkan. #ASNNetral", kind="quote", ref=19),
    Note("ani", "10-02 11:00", "Ready gamis motif batik Nusa Jaya 🌺 Harga 185rb, bisa COD area Tanjung Sari. DM ya kak"),
    Note("kabar", "10-03 07:30", "Debat pertama calon Bupati Tanjung Sari digelar Kamis, 8 Oktober, pukul 19.00 WIB di Gedung Serbaguna. Tema: pendidikan dan kesehatan."),
    Note("rt07", "10-03 16:00", "Info warga RT 07: kerja bakti Minggu pagi jam 7, bawa cangkul & karung. Habis itu sarapan bareng 🍚"),
    Note("rahmat", "10-04 08:00", "Pelayanan KTP-el di Kantor Camat Pesisir buka Sabtu ini pukul 08.00–12.00. Bawa fotokopi KK."),
    Note("abdi", "10-04 21:15", "Yg incumbent kebanyakan seremonial. Anggaran habis buat baliho sama acara. Ganti! #RAGAPerubahan"),
    Note("relawan_bayu", "10-05 09:00", "Konsolidasi relawan BAYU se-Kecamatan Pesisir hari ini. Semangat! 💪 #BAYUMenang #BambangBupati"),
    Note("budi", "10-05 09:20", "", kind="retweet", ref=26),
    Note("dimas", "10-06 10:10", "pemilih pemula nih. yg jelas visi misinya siapa sih? pada sibuk nyindir doang"),
    Note("kuliner", "10-06 17:45", "Es dawet Bu Sum di alun-alun. Seger pol, cocok buat cuaca panas begini 🥵🧊"),
    Note("hendra", "10-07 19:00", "Terima kasih warga Desa Sukamaju atas sambutan hangatnya. Kita lanjutkan pembangunan! 💙 #HERAJilid2"),
    Note("rahmat", "10-07 20:05", "Semoga pembangunan yang sudah baik bisa terus berlanjut. Pesisir sudah merasakan manfaatnya. #02Lanjutkan"),
    Note("kpu", "10-08 18:00", "Saksikan debat publik pertama calon Bupati Tanjung Sari malam ini pukul 19.00 WIB, siaran langsung TV lokal & YouTube KPU."),
    Note("warga", "10-08 21:40", "Debat tadi: 01 banyak janji, 02 banyak angka, 03 banyak semangat. Kalian pilih yg mana? 🤔"),
    Note("agus", "10-08 21:55", "Nonton debat sambil lembur gambar rencana jembatan. Yang penting jembatannya jadi 😅"),
    Note("budi", "10-08 22:10", "Pak Bambang tadi jawabnya mantap soal guru honorer. Beda kelas 🔥 #BAYUMenang"),
    Note("abdi", "10-08 22:30", "Incumbent ditanya soal jalan rusak malah muter2. Udah lah, saatnya ganti. Bu Ratna jelas programnya #03Bisa"),
    Note("ratna_c", "10-09 08:00", "Terima kasih atas dukungan semalam. Kita buktikan perempuan bisa memimpin Tanjung Sari! #RatnaBupati"),
    Note("rina", "10-09 12:30", "Ada yg tau tambal ban deket terminal yg buka siang? Ban bocor pas bawa penumpang 😩"),
    Note("bola", "10-10 15:00", "Tiket Persinusa vs Garuda Timur udah dijual online. Jangan sampe kehabisan ya bolo! 🎟️"),
    Note("kabar", "10-11 10:00", "Bawaslu Kab. Tanjung Sari menerima 7 laporan dugaan pelanggaran netralitas ASN sejak awal kampanye."),
    Note("budi", "10-11 19:00", "Ngajar anak2 kelas 5 tentang demokrasi hari ini. Mereka lucu2, ada yg nanya bupati itu gajinya berapa 😂"),
    Note("ani", "10-12 09:15", "Restock mukena travel warna pastel 💕 yang kemarin nanya, udah ready ya"),
    Note("rt07", "10-13 19:30", "Warga RT 07 yg belum dapat undangan cek DPT, bisa cek di posko RT malam ini."),
    Note("abdi", "10-14 22:00", "Kalau 02 menang lagi, siap2 aja proyek jalan dibagi ke kroni lagi. #RAGAPerubahan #GantiBupati"),
    Note("hendra", "10-15 10:00", "Hari ini meresmikan pasar rakyat Sukamaju yang baru. Pedagang lebih nyaman, pembeli lebih tertib. #LanjutkanHendra"),
    Note("rahmat", "10-15 10:30", "", kind="retweet", ref=45),
    Note("warga", "10-16 07:10", "Banjir lagi di Kampung Nelayan. Warga butuh perahu karet & logistik. RT ya biar cepat sampai 🙏 #InfoWarga"),
    Note("agus", "10-16 07:40", "Tim Dinas sedang menuju Kampung Nelayan bawa pompa air. Yang bisa bantu logistik, kumpul di balai desa 🙏", kind="reply", ref=47),
    Note("dimas", "10-17 14:00", "sidang proposal ACC!!! makasih semesta 🥹🎓"),
    Note("relawan_bayu", "10-18 08:00", "Bambang–Yohanes janji perbaiki semua jalan rusak di tahun pertama. Bukan janji kosong! #01Menang"),
    Note("budi", "10-18 08:30", "Setuju 100%. Saya sebagai guru ngeliat sendiri murid jalan kaki lewat jalan becek tiap hari. 01 pasti bisa!", kind="quote", ref=50),
    Note("kuliner", "10-19 18:00", "Sate kambing Haji Ucup buka cabang baru di Pesisir! Porsi jumbo, bumbu kacangnya medok 🍢 #KulinerTanjungSari"),
    Note("kabar", "10-20 09:00", "Survei lokal (fiktif): 01 31%, 02 36%, 03 24%, belum memutuskan 9%. Selisih masih dalam margin of error."),
    Note("abdi", "10-20 09:40", "Survei pesanan 🙄 02 cuma menang di baliho. #RAGAPerubahan", kind="quote", ref=53),
    Note("bola", "10-21 21:00", "Kalah 0-1 di kandang sendiri. Pelatih out! 😤 #Persinusa"),
    Note("rina", "10-22 17:00", "Penumpang tadi ngajak ngobrol politik sepanjang jalan, aku cuma bisa senyum2 aja 😅 yg penting bintang 5"),
    Note("rahmat", "10-23 08:00", "Rapat koordinasi kesiapan TPS di Kecamatan Pesisir bersama PPK dan Panwascam. Logistik aman."),
    Note("bawaslu", "10-24 10:00", "Bawaslu memanggil seorang oknum ASN terkait unggahan dukungan di media sosial. Proses klarifikasi berjalan. #ASNNetral"),
    Note("budi", "10-24 21:00", "Capek juga ya dicolek2 terus. Saya cuma pengen pendidikan di Tanjung Sari maju. Itu aja."),
    Note("agus", "10-25 12:00", "Jembatan gantung Desa Karang sudah bisa dilewati motor lagi. Hati2 tetap satu2 ya 🙏"),
    Note("warga", "10-25 12:30", "", kind="retweet", ref=60),
    Note("ratna_c", "10-26 19:00", "Kami kunjungi nelayan Pesisir malam ini. Harga solar mahal, hasil tangkapan turun. Kami dengar, kami catat. #RAGAPerubahan"),
    Note("abdi", "10-26 19:10", "", kind="retweet", ref=62),
    Note("dimas", "10-27 11:00", "nonton debat kedua entar malam ah. mau liat siapa yg ngomongin lapangan kerja buat anak muda"),
    Note("kabar", "10-27 21:30", "Debat kedua: ketiga paslon adu gagasan soal lapangan kerja, UMKM, dan pariwisata pantai."),
    Note("budi", "10-27 22:00", "Kalau guru sejahtera, murid pintar. Kalau murid pintar, Tanjung Sari maju. Makanya 01 ✌️☝️ #BAYUMenang"),
    Note("ani", "10-28 10:00", "Yg pesen hijab segi empat kemarin udah dikirim ya kak, resi di DM 📦"),
    Note("kuliner", "10-29 07:00", "Sarapan nasi uduk Bu Tini, antrenya sampe jalan 😂 wajib coba kalau lewat Sukamaju"),
    Note("rt07", "10-30 20:00", "Sosialisasi tata cara mencoblos dari KPPS di balai RT 07, Sabtu 19.30. Ibu2 bapak2 diharapkan hadir."),
    Note("hendra", "11-01 08:00", "Beasiswa Tanjung Sari Cerdas tahap 3 cair hari ini untuk 400 mahasiswa. Pendidikan adalah investasi. #HERAJilid2"),
    Note("rahmat", "11-01 09:00", "Alhamdulillah, beberapa mahasiswa dari Pesisir juga dapat. Program bagus harus dilanjutkan 👏", kind="quote", ref=70),
    Note("abdi", "11-02 22:00", "Beasiswa pas mau pilkada. Kebetulan? 🤔 #RAGAPerubahan"),
    Note("agus", "11-03 06:30", "Hujan dari subuh. Yang berangkat kerja hati2, jalan licin."),
    Note("bola", "11-04 20:00", "Derby Nusa Jaya minggu depan! Siap2 bolo 💙🔥"),
    Note("warga", "11-05 15:00", "Baliho paslon di perempatan pasar ada yg dirobek. Siapa pun pelakunya, jangan gitu lah, bikin panas suasana."),
    Note("kabar", "11-06 08:00", "Polres Tanjung Sari imbau semua pihak jaga kondusivitas jelang hari pemungutan suara 27 November."),
    Note("budi", "11-07 20:00", "Minggu depan ada jalan sehat bareng Pak Bambang di alun2. Bapak ibu guru yuk ramaikan, ada doorprize 😄 #BambangBupati"),
    Note("dimas", "11-08 16:00", "ternyata yg ngomongin lapangan kerja buat anak muda paling jelas malah 03. noted."),
    Note("rina", "11-09 08:00", "Hari ini narik sampe malem, doain ya 🛵💨"),
    Note("relawan_bayu", "11-10 07:00", "Jalan sehat bersama Pak Bambang Sutrisno, Minggu 15 Nov, start alun-alun 06.30. Gratis, doorprize motor! #BAYUMenang"),
    Note("budi", "11-10 07:30", "", kind="retweet", ref=80),
    Note("ratna_c", "11-12 10:00", "Transparansi anggaran desa bukan sekadar slogan. Kami sudah siapkan sistemnya. Tinggal menunggu kepercayaan Anda. #03Bisa"),
    Note("kuliner", "11-14 12:00", "Bakso urat Pak Min pindah ke ruko depan terminal. Rasa tetap sama, tempat lebih luas 🍲"),
    Note("bawaslu", "11-20 09:00", "Masa tenang 24–26 November. Tidak boleh ada kampanye dalam bentuk apa pun, termasuk di media sosial. #PilkadaDamai"),
    Note("abdi", "11-24 21:00", "Masa tenang tapi buzzer 02 masih jalan terus. Ingat, tanggal 27 pilih perubahan! 03! #RAGAPerubahan"),
    Note("budi", "11-25 20:00", "Besok lusa jangan lupa ke TPS ya. Pilihan kita menentukan nasib guru honorer. Tau kan maksud saya 😉☝️"),
    Note("warga", "11-27 07:00", "TPS 05 Sukamaju sudah buka dari jam 7. Antre tertib, jangan lupa bawa undangan & KTP. #PilkadaTanjungSari"),
    Note("dimas", "11-27 09:30", "first time nyoblos!! jarinya ungu 💜 #PemilihPemula"),
    Note("kabar", "11-27 17:00", "Hitung cepat sementara (fiktif) Pilkada Tanjung Sari: persaingan ketat antara 02 dan 03."),
]

# twscrape file
X_TWSCRAPE = [
    Note("sri", "09-26 07:30", "Ibu2 hamil jangan lupa cek rutin ke puskesmas ya, gratis pakai BPJS 🤰💕"),
    Note("sri", "09-28 12:00", "Puskesmas Sukamaju sekarang punya USG sendiri. Dulu harus ke kota. Makasih Pak Hendra 🙏 #LanjutkanHendra"),
    Note("maya", "09-29 20:00", "Tanda bahaya kehamilan: perdarahan, bengkak di wajah, sakit kepala hebat. Segera ke fasilitas kesehatan ya Bun."),
    Note("lukman", "09-30 09:00", "Liputan hari ini: pasar ikan Pesisir sepi, harga tongkol naik 20%. Nelayan mengeluh solar langka."),
    Note("nelayan", "09-30 18:00", "Solar susah, ombak tinggi, ikan sedikit. Siapa pun bupatinya, tolong perhatikan nelayan 🎣"),
    Note("genz", "10-01 23:00", "bingung milih. yg satu janji doang, yg satu udah 5 taun, yg satu belum kebukti. ya udah tidur"),
    Note("darmawan", "10-02 08:00", "DAMAI untuk Nusa Jaya: hilirisasi perikanan, pelabuhan rakyat, dan internet desa. #DAMAINusaJaya"),
    Note("fitri", "10-02 09:00", "Kesehatan gratis yang sungguhan, bukan sekadar kartu. Fitriani–Made untuk Nusa Jaya. #FIRMANUntukRakyat #FitriGubernur"),
    Note("petani", "10-03 06:00", "Harga cabe rawit tembus 70rb/kg di Tanjung Sari. Petani senyum, emak2 manyun 🌶️😅"),
    Note("sri", "10-05 09:00", "Posyandu Melati hari ini ramai. Imunisasi lengkap = anak sehat 💉👶"),
    Note("maya", "10-06 21:00", "Buat rekan2 nakes & ASN: kita boleh punya pilihan, tapi jangan kampanye di medsos ya. Netral itu kewajiban, bukan pilihan 🙏"),
    Note("lukman", "10-08 23:00", "Usai debat, tim 01 dan 03 sama-sama mengklaim menang. Tim 02 memilih tidak berkomentar."),
    Note("genz", "10-09 13:00", "debat semalem yg paling lucu pas moderator salah sebut nama 😭"),
    Note("sri", "10-10 19:00", "Lanjutkan yang sudah baik. Puskesmas, posyandu, bidan desa semua diperhatikan. 02 pokoknya 💙 #HERAJilid2"),
    Note("nelayan", "10-12 05:00", "Subuh melaut. Doakan ombak bersahabat 🌊"),
    Note("darmawan", "10-13 15:00", "Hari ini di Tanjung Sari bersama nelayan Pesisir. Pelabuhan rakyat bukan mimpi. #DAMAINusaJaya"),
    Note("petani", "10-14 07:00", "Musim tanam kedua. Pupuk subsidi datangnya telat lagi 😤 tolong dinas pertanian"),
    Note("fitri", "10-15 10:00", "Terima kasih relawan FIRMAN se-Kabupaten Tanjung Sari. Kita menang di hati rakyat! #FIRMANUntukRakyat"),
    Note("maya", "10-16 08:00", "Praktik hari ini: 3 ibu melahirkan dengan selamat. Alhamdulillah. Capek tapi bahagia 👶👶👶"),
    Note("lukman", "10-17 11:00", "Bawaslu Tanjung Sari tangani dugaan pelanggaran netralitas: seorang guru ASN diduga kampanye lewat X. Klarifikasi dijadwalkan pekan depan."),
    Note("genz", "10-18 20:00", "guru aku di sd dulu sekarang viral gara2 kampanye di twitter 💀"),
    Note("sri", "10-20 08:00", "Jadwal kelas ibu hamil bulan ini: setiap Rabu jam 9 di Puskesmas Sukamaju. Gratis 🤗"),
    Note("maya", "10-22 21:30", "Program kesehatan ibu & anak Bu Fitri paling masuk akal menurut saya sebagai dokter. Semoga jadi gubernur 🙏 #FitriGubernur"),
    Note("nelayan", "10-24 19:00", "Kemarin calon gubernur datang ke kampung kami. Janji pelabuhan. Kami tunggu buktinya."),
    Note("petani", "10-26 06:00", "Panen jagung hari ini 🌽 hasilnya lumayan walaupun sempat kebanjiran."),
    Note("darmawan", "10-28 19:00", "Terima kasih Kabupaten Tanjung Sari! DAMAI untuk semua. #DAMAINusaJaya"),
    Note("fitri", "10-30 09:00", "Bersama Pak Made, kami siapkan 100 puskesmas keliling untuk pulau-pulau kecil. #FIRMANUntukRakyat"),
    Note("sri", "11-01 12:00", "Bunda, MPASI tidak harus mahal. Bubur ikan + sayur bayam sudah bergizi 🐟🥬"),
    Note("lukman", "11-03 10:00", "Harga beras di pasar Tanjung Sari naik Rp1.000/kg dalam seminggu. Pedagang sebut pasokan terganggu banjir."),
    Note("genz", "11-05 22:00", "udah nentuin pilihan. ga bakal kasih tau 🤐"),
    Note("sri", "11-08 19:30", "Bu Siti (cawabup 02) tadi datang ke posyandu, ramah banget. Pokoknya lanjut 2 periode! #02Lanjutkan"),
    Note("maya", "11-10 08:00", "Cuaca panas, jangan lupa minum air putih 2 liter sehari, apalagi ibu hamil 💧"),
    Note("nelayan", "11-12 18:00", "Solar sudah mulai lancar lagi minggu ini. Alhamdulillah."),
    Note("petani", "11-14 06:30", "Ada yang butuh bibit cabe? Siap kirim se-Tanjung Sari 🌱"),
    Note("darmawan", "11-20 20:00", "Terima kasih atas seluruh dukungan selama kampanye. Mari jaga Nusa Jaya tetap damai. #DAMAINusaJaya"),
    Note("lukman", "11-25 10:00", "Masa tenang, Satpol PP turunkan ratusan APK di jalan protokol Tanjung Sari."),
    Note("sri", "11-26 20:00", "Besok ke TPS ya ibu2, habis itu mampir posyandu 😁 yang sudah kerja nyata jangan dilupakan 💙"),
    Note("genz", "11-27 12:00", "nyoblos done ✅ sekarang tidur siang"),
    Note("maya", "11-27 14:00", "Jaga kesehatan saat antre di TPS, bawa air minum dan payung ☂️"),
    Note("petani", "11-28 07:00", "Pilkada selesai, balik ke ladang. Siapa pun yang menang, tolong urus pupuk 🙏"),
]

# ------------------------------------------------------------------------------- Telegram channels
TELEGRAM_CHANNELS = [
    Note("info_tg", "09-25 07:00", "📢 Masa kampanye Pilkada Kab. Tanjung Sari resmi dimulai hari ini sampai 23 November 2026.\nTetap jaga persatuan ya warga! #PilkadaTanjungSari"),
    Note("info_tg", "09-27 12:00", "Jadwal pemadaman listrik bergilir Sabtu 28/9 wilayah Sukamaju pukul 09.00–14.00 ⚡"),
    Note("relawan_tg", "09-28 08:00", "Assalamualaikum relawan!\nAgenda minggu ini:\n1. Konsolidasi Kec. Pesisir (Sabtu)\n2. Bakti sosial Desa Karang (Minggu)\n#BAYUMenang"),
    Note("kabar_tg", "09-29 09:00", "Pemprov Nusa Jaya umumkan UMP 2027 naik 6,5%. Serikat buruh minta 10%."),
    Note("loker_tg", "09-30 10:00", "LOKER: Dibutuhkan 5 orang kasir minimarket area Tanjung Sari. Min. SMA, usia maks 25. Kirim CV ke email di bio."),
    Note("info_tg", "10-02 18:00", "Pendaftaran beasiswa Tanjung Sari Cerdas tahap 3 dibuka sampai 20 Oktober. Info lengkap di kantor dinas pendidikan."),
    Note("relawan_tg", "10-03 19:00", "Pak Bambang: \"Guru honorer adalah pahlawan yang terlupakan. Kami akan naikkan tunjangannya.\" 🙏\nSebarkan! #01Menang"),
    Note("kabar_tg", "10-05 11:00", "KPU Nusa Jaya tetapkan 2 pasangan calon gubernur: 01 Darmawan–Lukas (DAMAI) dan 02 Fitriani–Made (FIRMAN)."),
    Note("info_tg", "10-07 07:30", "Lowongan relawan PMI untuk donor darah massal di alun-alun Minggu ini 🩸"),
    Note("loker_tg", "10-08 10:00", "LOKER: PT Samudra Pesisir cari 20 operator produksi pengolahan ikan. Gaji UMR + uang makan."),
    Note("info_tg", "10-08 22:30", "Debat pertama selesai. Menurut warga, siapa yang paling meyakinkan?\n01 BAYU 👍\n02 HERA ❤️\n03 RAGA 🔥"),
    Note("relawan_tg", "10-09 07:00", "Debat semalam membuktikan: Pak Bambang paling siap! Terima kasih relawan yang nobar di posko 💪"),
    Note("kabar_tg", "10-11 13:00", "Gubernur Nusa Jaya (Pj) ingatkan ASN pemprov dan kabupaten/kota untuk netral. Sanksi disiplin menanti pelanggar."),
    Note("info_tg", "10-13 06:00", "⚠️ Jalan Sukamaju–Pesisir km 7 amblas. Pengendara disarankan lewat jalur Desa Karang."),
    Note("loker_tg", "10-15 09:00", "LOKER: Guru les privat matematika SD–SMP, bisa part time. Lokasi Tanjung Sari kota."),
    Note("relawan_tg", "10-16 20:00", "Relawan BAYU turun bantu korban banjir Kampung Nelayan. Politik boleh beda, kemanusiaan nomor satu 🙏"),
    Note("info_tg", "10-18 15:00", "Festival Kuliner Pesisir 24–26 Oktober di Pantai Sari. Ada lomba masak ikan bakar 🐟🔥"),
    Note("kabar_tg", "10-20 09:30", "Inflasi Nusa Jaya Oktober 0,4%, dipicu kenaikan harga cabai dan beras."),
    Note("relawan_tg", "10-22 08:00", "Titip pesan Pak Yohanes: jangan terpancing hoaks, lawan dengan data. 01 santun, 01 menang!"),
    Note("info_tg", "10-24 12:00", "Bawaslu buka posko pengaduan pelanggaran Pilkada di setiap kecamatan. Nomor kontak ada di kantor camat."),
    Note("loker_tg", "10-26 10:00", "LOKER: Admin online shop, kerja dari rumah, wilayah Tanjung Sari. Chat admin."),
    Note("kabar_tg", "10-28 18:00", "Debat kedua calon gubernur Nusa Jaya berlangsung panas soal pelabuhan dan kesehatan."),
    Note("info_tg", "10-30 07:00", "Car free day besok di Jl. Merdeka pukul 06.00–09.00. Bawa botol minum sendiri ya, kurangi plastik 🌱"),
    Note("relawan_tg", "11-01 19:00", "Alhamdulillah, 12.000 KTP dukungan terkumpul dari relawan. Target 27 November: MENANG! #BAYUMenang #BambangBupati"),
    Note("kabar_tg", "11-03 08:00", "Bawaslu Nusa Jaya: 23 ASN se-provinsi dalam proses pemeriksaan netralitas, 9 di antaranya dari Kab. Tanjung Sari."),
    Note("info_tg", "11-05 16:00", "Kehilangan: dompet coklat atas nama Suparmi di sekitar pasar Sukamaju. Yang menemukan mohon hubungi RT 07 🙏"),
    Note("loker_tg", "11-07 09:00", "LOKER: Barista & kitchen crew Kopi Pesisir. Pengalaman diutamakan."),
    Note("relawan_tg", "11-10 06:00", "Jalan sehat bareng Pak Bambang hari Minggu! Doorprize motor, kulkas, sepeda 🚲 #01Menang"),
    Note("info_tg", "11-15 08:00", "Ribuan warga ikut jalan sehat di alun-alun pagi ini. Lalu lintas sekitar Jl. Merdeka padat."),
    Note("kabar_tg", "11-19 10:00", "KPU distribusikan logistik pemilihan ke 14 kecamatan di Kabupaten Tanjung Sari."),
    Note("info_tg", "11-24 07:00", "Hari ini masa tenang dimulai. Tidak ada kampanye dalam bentuk apa pun sampai 26 November."),
    Note("relawan_tg", "11-25 20:00", "Relawan, tetap jaga TPS masing2 tanggal 27. Kawal suara sampai akhir! ☝️"),
    Note("info_tg", "11-27 06:00", "Selamat mencoblos warga Tanjung Sari! TPS buka 07.00–13.00 WIB. Jangan golput 🗳️"),
    Note("kabar_tg", "11-27 19:00", "Rekapitulasi sementara Pilkada Tanjung Sari akan diumumkan KPU besok pagi."),
    Note("info_tg", "11-28 09:00", "Terima kasih petugas KPPS yang sudah bekerja sampai larut malam 🙏"),
]

# ---------------------------------------------------------------------- Telegram Desktop group export
# A group chat (members' display names only). "service" notes are joins/pins, not posts.
TELEGRAM_GROUP = [
    Note("admin_grup", "09-20 08:00", "", kind="service", extra={"action": "create_group", "title": "Grup Guru & Tendik Kab. Tanjung Sari"}),
    Note("admin_grup", "09-20 08:05", "Selamat datang bapak ibu guru & tendik se-Kab. Tanjung Sari. Grup ini untuk info dinas dan berbagi, mohon jaga etika 🙏"),
    Note("yuliana", "09-20 08:30", "", kind="service", extra={"action": "invite_members", "members": ["Yuliana Pratiwi, S.Pd.SD"]}),
    Note("nining", "09-22 19:00", "Bapak ibu, ada info pencairan insentif guru honorer bulan ini?"),
    Note("darto", "09-22 19:20", "Info dari dinas, insentif honorer cair minggu depan bu. Berkas sudah saya kirim semua."),
    Note("yuliana", "09-26 20:00", "Bapak ibu, kita harus ingat siapa yang janji naikkan tunjangan honorer. Nomor 1 ya 🙏 #BAYUMenang"),
    Note("slamet", "09-26 20:10", "Bu Yuli, hati2 bu, di grup dinas gini ga boleh kampanye lho"),
    Note("yuliana", "09-26 20:15", "Iya pak, cuma mengingatkan saja kok 😊", kind="reply", ref=6),
    Note("admin_grup", "09-27 07:00", "Pengumuman: Rapat KKG gugus 3 hari Kamis pukul 13.00 di SDN 5 Sukamaju."),
    Note("darto", "10-02 15:00", "Bapak ibu, ini arahan dari atas ya: program beasiswa & sertifikasi lancar karena bupati sekarang. Jangan sampai berhenti 🙏 tau sama tau ya"),
    Note("nining", "10-02 15:10", "Maksudnya gimana pak? 🤔", kind="reply", ref=9),
    Note("darto", "10-02 15:12", "Ya lanjutkan yg sudah baik bu, nomor dua 😁", kind="reply", ref=10),
    Note("admin_grup", "10-02 16:00", "Mohon grup ini tidak dipakai untuk kampanye paslon mana pun. Terima kasih 🙏"),
    Note("admin_grup", "10-02 16:01", "", kind="service", extra={"action": "pin_message", "message_id": 13}),
    Note("slamet", "10-05 09:00", "Info lomba cerdas cermat tingkat kabupaten, pendaftaran sampai 15 Oktober. Formulir di dinas."),
    Note("nining", "10-09 20:00", "Ada yang punya RPP kurikulum merdeka kelas 4 tema energi? 🙏"),
    Note("yuliana", "10-09 20:30", "Ada bu, saya kirim japri ya", kind="reply", ref=15),
    Note("yuliana", "10-12 19:00", "Jalan sehat bareng Pak Bambang tgl 15 Nov, guru2 ikut yuk, seragam bebas aja biar ga ketahuan 😄"),
    Note("slamet", "10-12 19:05", "Waduh bu 😅"),
    Note("darto", "10-20 10:00", "Mohon bapak ibu yang belum upload SKP triwulan 3 segera ya, batas akhir Jumat."),
    Note("admin_grup", "10-25 08:00", "Libur Hari Guru? Bukan, hari guru 25 November ya, tetap masuk 😁"),
    Note("nining", "11-01 12:00", "Alhamdulillah insentif sudah cair, terima kasih Pak Darto 🙏"),
    Note("darto", "11-10 19:00", "Ingat ya bapak ibu, tanggal 27 jangan salah pilih. Yang sudah memperhatikan kita itu yang sekarang 🙏💙"),
    Note("yuliana", "11-10 19:10", "Kalau saya tetap yang janji naikkan tunjangan pak 😁☝️", kind="reply", ref=22),
    Note("admin_grup", "11-10 19:30", "Bapak ibu, sudah diingatkan berkali-kali. ASN dilarang kampanye, termasuk di grup WA/Telegram. Tolong dihentikan."),
    Note("admin_grup", "11-10 19:31", "", kind="service", extra={"action": "pin_message", "message_id": 25}),
    Note("slamet", "11-20 08:00", "Info: tanggal 27 Nov sekolah libur, dipakai TPS di beberapa SD."),
    Note("nining", "11-25 19:00", "Selamat Hari Guru bapak ibu semua 🌹 terima kasih atas pengabdiannya"),
    Note("darto", "11-25 19:10", "Selamat Hari Guru 🙏"),
    Note("yuliana", "11-25 19:15", "Selamat Hari Guru! Semoga guru honorer makin sejahtera 🙏☝️"),
]

# ------------------------------------------------------------------------------------ Mastodon (API)
# HTML content as Mastodon serves it; boosts (kind="boost") reshare an earlier status.
MASTODON_API = [
    Note("raga_m", "09-28 17:00", "<p>Perubahan dimulai dari desa! Ratna–Agus siap membuka data anggaran untuk semua warga.<br>Gabung relawan: https://raga.example/daftar</p><p>#RAGAPerubahan #03Bisa</p>"),
    Note("rudi", "09-28 18:00", "<p>Sebagai orang yang tiap hari baca dokumen perencanaan: program Bu Ratna paling realistis. Serius.</p><p>#RAGAPerubahan</p>"),
    Note("dewi", "09-28 18:30", "", kind="boost", ref=0),
    Note("tekno", "09-29 09:00", "<p>Akhirnya server Mastodon lokal kita pindah ke VPS baru. Lebih kencang 🚀</p>"),
    Note("jurnalis", "09-30 10:00", "<p>Catatan liputan: di Desa Karang, warga mengeluh bantuan pupuk yang datang terlambat dua bulan.</p>"),
    Note("hera_m", "10-01 08:00", "<p>42 km jalan desa, 3 puskesmas baru, 1.200 beasiswa. Data, bukan janji.<br>#LanjutkanHendra #HERAJilid2</p>"),
    Note("dewi", "10-01 20:00", "<p>Jalan desa 42 km itu dihitung dari mana ya? Di Sukamaju masih banyak yang tanah. Saatnya ganti 🙏 #RAGAPerubahan</p>"),
    Note("rudi", "10-03 21:00", "<p>Minggu ini lembur RPJMD. Siapa pun bupatinya nanti, dokumennya harus siap. Kopi ketiga ☕</p>"),
    Note("tekno", "10-05 15:00", "<p>Tips: backup foto keluarga ke dua tempat. Hardisk bisa rusak kapan saja.</p>"),
    Note("jurnalis", "10-08 23:00", "<p>Debat perdana: soal pendidikan, 01 fokus guru honorer, 02 klaim beasiswa, 03 tawarkan transparansi dana BOS.</p>"),
    Note("raga_m", "10-09 07:00", "<p>Terima kasih Tanjung Sari! Bu Ratna tampil meyakinkan semalam 🔥 <a href=\"https://sosial.example/tags/RatnaBupati\" class=\"mention hashtag\" rel=\"tag\">#<span>RatnaBupati</span></a></p>"),
    Note("dewi", "10-09 07:30", "", kind="boost", ref=10),
    Note("rudi", "10-09 08:00", "<p>Setuju. Yang lain masih bicara proyek, Bu Ratna bicara sistem. <span class=\"h-card\"><a href=\"https://sosial.example/@ragaperubahan\" class=\"u-url mention\">@<span>ragaperubahan</span></a></span> semangat!</p>", kind="reply", ref=10),
    Note("hera_m", "10-15 10:30", "<p>Pasar rakyat Sukamaju resmi dibuka. Terima kasih para pedagang atas kesabarannya selama renovasi. #02Lanjutkan</p>"),
    Note("tekno", "10-18 20:00", "<p>Ada yang mau ikut kopdar pengguna Linux Tanjung Sari? Sabtu depan di Kopi Pesisir 🐧</p>"),
    Note("jurnalis", "10-21 09:00", "<p>Bawaslu: laporan netralitas ASN meningkat. Mayoritas terkait unggahan media sosial dan grup percakapan guru.</p>"),
    Note("dewi", "10-23 19:00", "<p>Saya ASN, dan saya lelah melihat anggaran habis untuk seremonial. Tanggal 27 kita pilih perubahan. Nomor 3.</p>"),
    Note("kopi", "10-25 16:00", "<p>Senja di Pantai Sari hari ini cantik banget 🌅</p>"),
    Note("raga_m", "10-26 19:30", "<p>Bu Ratna & Pak Agus bersama nelayan Pesisir malam ini. Solar, harga ikan, dan pelabuhan jadi prioritas. #RAGAPerubahan</p>"),
    Note("rudi", "10-26 20:00", "", kind="boost", ref=18),
    Note("jurnalis", "11-02 10:00", "<p>Wawancara dengan pedagang pasar: mayoritas belum menentukan pilihan, menunggu debat terakhir.</p>"),
    Note("tekno", "11-05 21:00", "<p>Server down 10 menit tadi gara-gara listrik padam. Maaf ya semuanya 🙏</p>"),
    Note("hera_m", "11-12 08:00", "<p>Kerja nyata tidak butuh janji. Lanjutkan! <a href=\"https://sosial.example/tags/LanjutkanHendra\" class=\"mention hashtag\" rel=\"tag\">#<span>LanjutkanHendra</span></a></p>"),
    Note("dewi", "11-24 20:00", "<p>Masa tenang. Tapi hati sudah mantap 😌 sampai ketemu di TPS.</p>"),
    Note("rudi", "11-27 13:00", "<p>Sudah mencoblos. Apa pun hasilnya, semoga Tanjung Sari lebih baik.</p>"),
    Note("kopi", "11-28 08:00", "<p>Pagi yang tenang setelah pilkada. Kopi tubruk dulu ☕</p>"),
]

# ------------------------------------------------------------------------------ Mastodon (snscrape)
MASTODON_SNSCRAPE = [
    Note("watch", "10-04 10:00", "Daftar janji kampanye tiga paslon Bupati Tanjung Sari kami rangkum di utas ini. Koreksi kalau ada yang salah.\n\n#PilkadaTanjungSari"),
    Note("kopi", "10-04 11:00", "", kind="boost", ref=0),
    Note("watch", "10-12 09:00", "Pemantauan kami: 14 akun yang mengaku ASN memposting dukungan paslon dalam dua minggu pertama kampanye."),
    Note("kopi", "10-15 18:00", "Es kopi susu gula aren masih jadi andalan. Ada rekomendasi kedai baru di Tanjung Sari?"),
    Note("watch", "10-20 08:00", "Hoaks: beredar foto surat suara sudah dicoblos untuk 02. Faktanya, itu foto simulasi KPU tahun lalu. #CekFakta"),
    Note("kopi", "10-20 08:30", "", kind="boost", ref=4),
    Note("watch", "11-05 12:00", "Rangkuman dana kampanye yang dilaporkan: 01 Rp2,1 M, 02 Rp3,4 M, 03 Rp1,2 M (data fiktif demo)."),
    Note("kopi", "11-20 17:00", "Hujan pertama bulan ini. Akhirnya adem 🌧️"),
    Note("watch", "11-26 21:00", "Besok hari pemungutan suara. Pantau TPS terdekat, laporkan kecurangan ke Bawaslu. #PilkadaDamai"),
]

# ------------------------------------------------------------------------------------------ Reddit
REDDIT = [
    Note("tjs_watch", "10-05 10:00", "Pilkada Tanjung Sari: ada yang merhatiin berapa banyak ASN yang terang-terangan kampanye di medsos?|||Guru, bidan, bahkan camat. Katanya netral tapi feed-nya penuh hashtag paslon.", kind="submission"),
    Note("warga42", "10-05 11:00", "Guru SD anakku sampai share poster 01 di grup wali murid. Mau protes takut anakku yang kena.", kind="comment", ref=0),
    Note("fajar", "10-05 12:30", "Orang pemda juga manusia, punya pilihan. Yang penting jangan pakai fasilitas dinas. Btw buat gubernur jelas Bu Fitri lah, programnya paling masuk akal.", kind="comment", ref=0),
    Note("rantau", "10-05 14:00", "@pns_nusajaya justru itu masalahnya, \"punya pilihan\" sama \"kampanye\" itu beda bang.", kind="comment", ref=2),
    Note("rantau", "10-19 20:00", "Pulang kampung buat nyoblos 27 Nov, tiket kapal naik 2x lipat 😩|||Ada yang tau jadwal kapal tambahan ke Tanjung Sari?", kind="submission"),
    Note("warga42", "10-19 21:00", "Biasanya ada kapal tambahan H-3, pantau akun pelabuhan aja.", kind="comment", ref=4),
    Note("fajar", "10-25 22:00", "Debat gubernur kemarin: DAMAI kuat di infrastruktur, FIRMAN kuat di kesehatan. Nusa Jaya butuh yang kedua menurutku. #FIRMANUntukRakyat", kind="submission"),
    Note("tjs_watch", "10-25 22:30", "Akun ini sering banget muji FIRMAN, kerja di mana bang? 😏", kind="comment", ref=6),
    Note("fajar", "10-25 22:45", "Rahasia negara 🤐", kind="comment", ref=7),
    Note("warga42", "11-28 09:00", "Gimana hasil di TPS kalian? Di tempatku 03 menang tipis.", kind="submission"),
]

# -------------------------------------------------------------------------- Facebook / IG / TikTok CSV
FACEBOOK = [
    Note("hera_fb", "09-28 09:00", "Lima tahun bekerja, bukan lima tahun berjanji. Hendra–Siti, lanjutkan! 💙 #LanjutkanHendra #HERAJilid2"),
    Note("nurhayati", "09-28 10:15", "Alhamdulillah anggaran kesehatan naik terus 5 tahun ini. Yang sudah bagus kenapa diganti? 😊 #LanjutkanHendra"),
    Note("irawan", "09-29 08:00", "Kelurahan Sukamaju membuka layanan administrasi kependudukan setiap Sabtu pagi selama bulan Oktober. Silakan datang, gratis."),
    Note("kuliner_fb", "09-30 12:00", "Rekomendasi makan siang: Soto Banjar Mak Isah, Jl. Pasar Lama No. 12. Kuahnya gurih, porsinya pas 🍲"),
    Note("tini", "10-01 06:00", "Nasi uduk + gorengan sudah siap dari subuh ya 🍳 pesan antar bisa WA."),
    Note("karang", "10-03 16:00", "Karang Taruna Sukamaju mengadakan turnamen voli antar-RT, pendaftaran dibuka sampai 10 Oktober! 🏐"),
    Note("irawan", "10-07 20:00", "Terima kasih Pak Bupati Hendra atas pembangunan pasar Sukamaju. Warga kami sangat terbantu. Semoga bisa lanjut 🙏"),
    Note("hera_fb", "10-08 22:00", "Debat malam ini membuktikan: data dan kerja nyata tidak bisa dikalahkan janji. #02Lanjutkan"),
    Note("nurhayati", "10-08 22:30", "Setuju! Pak Hendra paling paham angka. Ayo ibu2 Dinkes, 02 ya 💙"),
    Note("kuliner_fb", "10-12 11:00", "Mampir ke Warung Bu Tini di Sukamaju, nasi uduknya legend. Buka dari jam 5 pagi!"),
    Note("karang", "10-18 07:00", "Kerja bakti bersih pantai bersama pemuda Sukamaju pagi ini. 40 karung sampah terkumpul 💪🌊"),
    Note("irawan", "10-21 09:00", "Posyandu lansia di Balai Kelurahan Sukamaju Kamis ini. Cek tensi dan gula darah gratis."),
    Note("tini", "10-25 06:30", "Hari ini ada menu baru: lontong sayur 🥣 dicoba ya langganan!"),
    Note("nurhayati", "10-30 19:00", "Ibu-ibu, jangan lupa tanggal 27 November. Pilih yang sudah pasti kerjanya. Nomor 2! 💙💙"),
    Note("hera_fb", "11-01 10:00", "Ribuan warga hadir di kampanye akbar Hendra–Siti di Lapangan Merdeka. Terima kasih Tanjung Sari! 💙"),
    Note("irawan", "11-15 08:00", "Sebagai lurah saya mengajak warga datang ke TPS 27 November. Gunakan hak pilih dengan bijak."),
    Note("karang", "11-16 19:00", "Final voli antar-RT: RT 07 juara! Selamat 🏆"),
    Note("kuliner_fb", "11-20 12:00", "Warung seafood baru di Pantai Sari: cumi saus padang 35rb, wajib coba 🦑"),
    Note("nurhayati", "11-25 20:00", "Besok lusa. Ingat ya, jangan sampai pembangunan berhenti. Tau sama tau 😉"),
    Note("tini", "11-27 06:00", "Habis nyoblos mampir sarapan ya, diskon 10% buat yang jarinya ungu 💜"),
]

INSTAGRAM = [
    Note("explore", "09-26 17:00", "Sunset di Pantai Sari nggak pernah gagal 🌅 #TanjungSari #ExploreNusaJaya"),
    Note("bambang_ig", "09-27 09:00", "Bersama Pak Yohanes, kami siap melayani. Nomor 01, BAYU untuk Tanjung Sari! 🤝 #BAYUMenang #BambangBupati"),
    Note("ratna_w", "09-29 15:00", "Praktikum IPA hari ini: bikin gunung meletus dari soda kue 🌋 anak2 heboh!"),
    Note("kopi_ig", "10-01 10:00", "Menu baru: es kopi pandan 🍃 mampir yuk"),
    Note("firman_ig", "10-02 12:00", "Fitriani–Made: kesehatan gratis sungguhan untuk seluruh Nusa Jaya 💚 #FIRMANUntukRakyat"),
    Note("ratna_w", "10-06 19:00", "Masak rendang buat keluarga, anak bungsu minta tambah 3x 😂 #ibuguru"),
    Note("explore", "10-10 16:00", "Air Terjun Lembah Hijau, 30 menit dari kota. Bawa sandal gunung ya 🏞️"),
    Note("bambang_ig", "10-15 18:00", "Terima kasih guru-guru honorer Tanjung Sari. Perjuangan kalian adalah perjuangan kami. #01Menang"),
    Note("ratna_w", "10-20 20:00", "Bu Ratna (yang satunya 😄) paling ngerti nasib guru dan perempuan. 27 Nov jangan salah ya! #RAGAPerubahan #RatnaBupati"),
    Note("kopi_ig", "10-24 16:00", "Live music Sabtu malam 🎸 reservasi via DM"),
    Note("firman_ig", "10-30 09:00", "Puskesmas keliling untuk pulau-pulau kecil. Bukan janji, ini rencana 💚 #FitriGubernur"),
    Note("explore", "11-03 08:00", "Pasar terapung Sungai Sari tiap Minggu pagi 🛶 #ExploreNusaJaya"),
    Note("ratna_w", "11-10 07:00", "Upacara Hari Pahlawan di sekolah. Anak2 khidmat banget 🇮🇩"),
    Note("bambang_ig", "11-15 10:00", "Jalan sehat bersama ribuan warga pagi ini. Sehat, guyub, menang! ✊ #BAYUMenang"),
    Note("ratna_w", "11-25 19:00", "Selamat Hari Guru untuk semua guru hebat 🌹 #HariGuruNasional"),
    Note("kopi_ig", "11-27 15:00", "Tunjukkan jari ungu, dapat diskon 20% hari ini 💜☕"),
]

TIKTOK = [
    Note("hendro", "09-26 06:00", "Cara bikin pupuk organik cair dari limbah dapur 🌱 gampang banget #petanimuda #penyuluh"),
    Note("eka", "09-27 23:00", "POV: jaga malam IGD terus ada pasien ngaku sakit perut ternyata lapar 😭 #perawat #nakes"),
    Note("viral", "09-28 12:00", "Detik-detik baliho paslon jatuh ketiup angin di perempatan pasar 😱 #tjsviral"),
    Note("masak", "09-30 19:00", "Nasi goreng 5 ribu ala anak kos 🍳 #resepanakkos"),
    Note("hendro", "10-04 07:00", "Musim tanam kedua, ini jadwal tanam yang pas untuk padi di pesisir 🌾 #penyuluhpertanian"),
    Note("raga_tt", "10-06 18:00", "Bu Ratna ngobrol sama petani di sawah tanpa protokoler 🔥 beda kan? #RAGAPerubahan #03Bisa"),
    Note("eka", "10-10 22:00", "Yang janji-janji manis tapi ngilang pas dibutuhin... kayak mantan, kayak paslon 01 juga 🙃 #01NoWay"),
    Note("viral", "10-12 17:00", "Warga Sukamaju gotong royong benerin jembatan bambu sendiri 👏 #tjsviral"),
    Note("hendro", "10-17 06:30", "Pak Darmawan paham betul soal pelabuhan dan hasil tani. Gubernur 01 DAMAI, petani sejahtera 🌾 #DAMAINusaJaya"),
    Note("masak", "10-20 19:00", "Mie instan level sultan pakai telur 3 🤤 #resepanakkos"),
    Note("eka", "10-25 23:30", "Tips tetap melek jaga malam: kopi, cemilan, dan rekan kerja yang lucu ☕😂 #perawat"),
    Note("raga_tt", "11-01 20:00", "Ribuan anak muda hadir di konser kampanye RAGA! 🎤 #RAGAPerubahan"),
    Note("viral", "11-08 16:00", "Debat paslon tapi versi anak TK 😂😂 #tjsviral #pilkada"),
    Note("hendro", "11-12 06:00", "Hama wereng menyerang lagi, ini cara alami mengatasinya 🐛 #petanimuda"),
    Note("eka", "11-27 13:00", "Habis jaga malam langsung ke TPS, jari ungu + mata panda 🐼💜 #pemilu"),
]


# ======================================================================================== rendering
import re  # noqa: E402

URL_RE = re.compile(r"https?://\S+")
TAG_RE = re.compile(r"(?<![\w#&])#(\w+)")
MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_.]+)")
HANDLES = {a.handle: a for a in ACCOUNTS if a.handle}


def counts(followers: int, scale: float = 1.0) -> dict[str, int]:
    """Plausible engagement for an author with ``followers`` (deterministic via the module rng)."""
    base = max(followers, 50) * scale
    likes = int(base * rng.uniform(0.002, 0.04))
    return {"likes": likes, "replies": int(likes * rng.uniform(0.02, 0.3)), "reposts": int(likes * rng.uniform(0.05, 0.4)),
            "quotes": int(likes * rng.uniform(0, 0.05)), "views": int(base * rng.uniform(0.1, 1.5)) + likes * 10}  # fmt: skip


def jsonl(path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


# ---------------------------------------------------------------------------------------------- X
def render_x_snscrape() -> list[str]:
    import snscrape.modules.twitter as tw

    users: dict[str, tw.User] = {}

    def user(a: Account) -> tw.User:
        if a.key not in users:
            users[a.key] = tw.User(
                username=a.handle, id=a.uid, displayname=a.display_name, rawDescription=a.bio,
                renderedDescription=a.bio, created=dt.datetime(2014 + a.uid % 9, 1 + a.uid % 12, 1, tzinfo=dt.UTC),
                followersCount=a.followers, friendsCount=rng.randint(50, 900), statusesCount=rng.randint(300, 20000),
                favouritesCount=rng.randint(100, 30000), listedCount=rng.randint(0, 40), mediaCount=rng.randint(0, 800),
                location=a.location, protected=False, verified=False,
                profileImageUrl=f"https://pbs.twimg.com/profile_images/{a.uid}/avatar_normal.jpg",
            )  # fmt: skip
        return users[a.key]

    def ref_user(handle: str) -> tw.User:
        a = HANDLES.get(handle)
        return user(a) if a and a.platform == "x" else tw.User(username=handle, id=9_000_000 + len(handle), displayname=handle)

    tweets: list[tw.Tweet] = []
    out = []
    for i, n in enumerate(X_SNSCRAPE):
        a = BY_KEY[n.who]
        tid = 1_851_200_000_000_000_000 + i * 1_000_003
        target = tweets[n.ref] if n.ref is not None else None
        text = n.text
        if n.kind == "retweet":
            text = f"RT @{target.user.username}: {target.rawContent}"
        source_text = target.rawContent if n.kind == "retweet" else text
        hashtags = TAG_RE.findall(source_text)
        mentions = [ref_user(h) for h in dict.fromkeys(MENTION_RE.findall(source_text))]
        links = [tw.TextLink(text=u.split("://")[1], url=u, tcourl=f"https://t.co/{tid % 10**10:x}", indices=(0, 23))
                 for u in URL_RE.findall(source_text)]  # fmt: skip
        c = counts(a.followers, 0.2 if n.kind == "retweet" else 1.0)
        t = tw.Tweet(
            url=f"https://twitter.com/{a.handle}/status/{tid}", date=at(n.when).astimezone(dt.UTC),
            rawContent=text, renderedContent=text, id=tid, user=user(a),
            replyCount=0 if n.kind == "retweet" else c["replies"], retweetCount=c["reposts"],
            likeCount=0 if n.kind == "retweet" else c["likes"], quoteCount=c["quotes"],
            conversationId=target.conversationId if n.kind == "reply" else tid, lang="in",
            source='<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>',
            sourceUrl="http://twitter.com/download/android", sourceLabel="Twitter for Android",
            links=links or None, hashtags=hashtags or None, mentionedUsers=mentions or None,
            retweetedTweet=target if n.kind == "retweet" else None,
            quotedTweet=target if n.kind == "quote" else None,
            inReplyToTweetId=target.id if n.kind == "reply" else None,
            inReplyToUser=target.user if n.kind == "reply" else None,
            viewCount=None if n.kind == "retweet" else c["views"],
        )  # fmt: skip
        tweets.append(t)
        out.append(t.json())
    return out


def render_x_twscrape() -> list[str]:
    import twscrape.models as tm

    out = []
    for i, n in enumerate(X_TWSCRAPE):
        a = BY_KEY[n.who]
        tid = 1_851_900_000_000_000_000 + i * 999_983
        u = tm.User(
            id=a.uid, id_str=str(a.uid), url=f"https://x.com/{a.handle}", username=a.handle, displayname=a.display_name,
            rawDescription=a.bio, created=dt.datetime(2016 + a.uid % 7, 1 + a.uid % 12, 3, tzinfo=dt.UTC),
            followersCount=a.followers, friendsCount=300, statusesCount=2500, favouritesCount=4000, listedCount=3,
            mediaCount=120, location=a.location or "Nusa Jaya",
            profileImageUrl=f"https://pbs.twimg.com/profile_images/{a.uid}/p_normal.jpg",
        )  # fmt: skip
        c = counts(a.followers)
        mentioned = [tm.UserRef(id=HANDLES[h].uid if h in HANDLES else 7_000_000 + i, id_str=str(HANDLES[h].uid if h in HANDLES else 7_000_000 + i),
                                username=h, displayname=HANDLES[h].display_name if h in HANDLES else h)
                     for h in dict.fromkeys(MENTION_RE.findall(n.text))]  # fmt: skip
        t = tm.Tweet(
            id=tid, id_str=str(tid), url=f"https://x.com/{a.handle}/status/{tid}", date=at(n.when), user=u, lang="in",
            rawContent=n.text, replyCount=c["replies"], retweetCount=c["reposts"], likeCount=c["likes"],
            quoteCount=c["quotes"], bookmarkedCount=int(c["likes"] * 0.05), conversationId=tid, conversationIdStr=str(tid),
            hashtags=TAG_RE.findall(n.text), cashtags=[], mentionedUsers=mentioned, links=[], media=tm.Media(),
            viewCount=c["views"], sourceLabel="Twitter for iPhone",
        )  # fmt: skip
        out.append(t.json())
    return out


# --------------------------------------------------------------------------------------- Telegram
def render_telegram_channels() -> list[str]:
    import snscrape.modules.telegram as tg

    next_id: dict[str, int] = {}
    out = []
    for n in TELEGRAM_CHANNELS:
        a = BY_KEY[n.who]
        msg = next_id.get(a.handle, 800 + a.uid % 500)
        next_id[a.handle] = msg + rng.randint(1, 4)
        post = tg.TelegramPost(url=f"https://t.me/s/{a.handle}/{msg}", date=at(n.when).astimezone(dt.UTC),
                               content=n.text, outlinks=URL_RE.findall(n.text))  # fmt: skip
        out.append(post.json())
    return out


def _entities(text: str) -> list[dict]:
    """Telegram Desktop's text_entities: plain runs plus hashtag/mention/link pieces."""
    pieces, pos = [], 0
    pattern = re.compile(r"(?P<hashtag>(?<![\w#])#\w+)|(?P<mention>(?<![\w@])@[A-Za-z0-9_]+)|(?P<link>https?://\S+)")
    for m in pattern.finditer(text):
        if m.start() > pos:
            pieces.append({"type": "plain", "text": text[pos : m.start()]})
        pieces.append({"type": m.lastgroup, "text": m.group(0)})
        pos = m.end()
    if pos < len(text):
        pieces.append({"type": "plain", "text": text[pos:]})
    return pieces


def render_telegram_export() -> dict:
    chat_id = 1_876_543_210
    messages = []
    for i, n in enumerate(TELEGRAM_GROUP, 1):
        a = BY_KEY[n.who]
        when = at(n.when)
        base = {"id": i, "type": "service" if n.kind == "service" else "message",
                "date": when.strftime("%Y-%m-%dT%H:%M:%S"), "date_unixtime": str(int(when.timestamp()))}  # fmt: skip
        if n.kind == "service":
            base.update(actor=a.display_name, actor_id=f"user{a.uid}", **n.extra, text="", text_entities=[])
        else:
            entities = _entities(n.text)
            rich = any(e["type"] != "plain" for e in entities)
            base.update({"from": a.display_name, "from_id": f"user{a.uid}"})
            if n.kind == "reply":
                base["reply_to_message_id"] = n.ref + 1
            base["text"] = [e if e["type"] != "plain" else e["text"] for e in entities] if rich else n.text
            base["text_entities"] = entities
            if rng.random() < 0.4:
                base["reactions"] = [{"type": "emoji", "count": rng.randint(1, 9), "emoji": rng.choice(["👍", "🙏", "😂", "❤"])}]
        messages.append(base)
    return {"name": "Grup Guru & Tendik Kab. Tanjung Sari", "type": "private_supergroup", "id": chat_id, "messages": messages}


# --------------------------------------------------------------------------------------- Mastodon
SERVED_BY = "sosial.example"


def _acct(a: Account) -> tuple[str, str, str]:
    """(acct as sosial.example serves it, username, home host)."""
    user, host = a.handle.split("@")
    return (user if host == SERVED_BY else a.handle), user, host


def _status_html(text: str) -> str:
    if text.startswith("<p>"):
        html = text
    else:
        html = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))

    def tag(m: re.Match) -> str:
        name = m.group(1)
        return f'<a href="https://{SERVED_BY}/tags/{name}" class="mention hashtag" rel="tag">#<span>{name}</span></a>'

    def link(m: re.Match) -> str:
        url = m.group(0).rstrip("<")
        scheme, rest = url.split("://", 1)
        return (f'<a href="{url}" rel="nofollow noopener noreferrer" target="_blank"><span class="invisible">{scheme}://</span>'
                f'<span class="">{rest}</span><span class="invisible"></span></a>')  # fmt: skip

    html = re.sub(r'(?<!href=")https?://[^\s<"]+', link, html)
    return re.sub(r"(?<![\w#&>])#(\w+)(?![^<]*</span>)", tag, html)


def render_mastodon_api() -> list[dict]:
    statuses: list[dict] = []
    for i, n in enumerate(MASTODON_API):
        a = BY_KEY[n.who]
        acct, user, host = _acct(a)
        sid = str(113_400_000_000_000_000 + i * 7_777_777)
        account = {
            "id": str(a.uid), "username": user, "acct": acct, "display_name": a.display_name, "locked": False,
            "bot": False, "created_at": "2022-11-05T00:00:00.000Z", "note": a.bio, "url": f"https://{host}/@{user}",
            "avatar": f"https://{host}/avatars/{user}.png", "followers_count": a.followers,
            "following_count": rng.randint(20, 400), "statuses_count": rng.randint(50, 3000), "fields": [],
        }  # fmt: skip
        if a.key == "rudi":
            account["fields"] = [{"name": "Kantor", "value": "Bappeda Kab. Tanjung Sari", "verified_at": None}]
        created = at(n.when).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if n.kind == "boost":
            original = statuses[n.ref]
            statuses.append({
                "id": sid, "created_at": created, "in_reply_to_id": None, "in_reply_to_account_id": None,
                "sensitive": False, "spoiler_text": "", "visibility": "public", "language": None,
                "uri": f"https://{host}/users/{user}/statuses/{sid}/activity", "url": None,
                "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "content": "",
                "reblog": original, "account": account, "media_attachments": [], "mentions": [], "tags": [],
                "emojis": [], "card": None, "poll": None,
            })  # fmt: skip
            continue
        html = _status_html(n.text)
        plain = re.sub(r"<[^>]+>", " ", html)
        c = counts(a.followers, 3)
        mentions = [{"id": str(HANDLES[h + "@" + SERVED_BY].uid) if h + "@" + SERVED_BY in HANDLES else "0",
                     "username": h, "url": f"https://{SERVED_BY}/@{h}", "acct": h}
                    for h in dict.fromkeys(re.findall(r'/@([A-Za-z0-9_]+)" class="u-url mention', html))]  # fmt: skip
        status = {
            "id": sid, "created_at": created, "in_reply_to_id": None, "in_reply_to_account_id": None,
            "sensitive": False, "spoiler_text": "", "visibility": "public", "language": "id",
            "uri": f"https://{host}/users/{user}/statuses/{sid}", "url": f"https://{host}/@{user}/{sid}",
            "replies_count": c["replies"], "reblogs_count": c["reposts"], "favourites_count": c["likes"],
            "edited_at": None, "content": html, "reblog": None, "account": account, "media_attachments": [],
            "mentions": mentions, "tags": [{"name": t, "url": f"https://{SERVED_BY}/tags/{t.lower()}"}
                                           for t in dict.fromkeys(TAG_RE.findall(plain))],
            "emojis": [], "card": None, "poll": None,
        }  # fmt: skip
        if n.kind == "reply":
            parent = statuses[n.ref]
            status["in_reply_to_id"], status["in_reply_to_account_id"] = parent["id"], parent["account"]["id"]
        statuses.append(status)
    return statuses


def render_mastodon_snscrape() -> list[str]:
    import snscrape.modules.mastodon as md

    toots: list = []
    out = []
    for i, n in enumerate(MASTODON_SNSCRAPE):
        a = BY_KEY[n.who]
        user_name, host = a.handle.split("@")
        muser = md.User(account=f"@{a.handle}", displayName=a.display_name, _url=f"https://{host}/@{user_name}",
                        avatarUrl=f"https://{host}/avatars/{user_name}.png")  # fmt: skip
        if n.kind == "boost":
            item = md.Boost(user=muser, toot=toots[n.ref])
        else:
            tid = str(113_450_000_000_000_000 + i * 3_333_331)
            item = md.Toot(url=f"https://{host}/@{user_name}/{tid}", id=tid, user=muser, date=at(n.when).astimezone(dt.UTC),
                           text=n.text, hashtags=TAG_RE.findall(n.text) or None, links=URL_RE.findall(n.text) or None)  # fmt: skip
        toots.append(item)
        out.append(item.json())
    return out


# ----------------------------------------------------------------------------------------- Reddit
def render_reddit() -> list[str]:
    import snscrape.modules.reddit as rd

    items: list = []
    out = []
    sub = "tanjungsari"
    for i, n in enumerate(REDDIT):
        a = BY_KEY[n.who]
        rid = f"{(1_700_000 + i * 4099):x}"[-6:]
        when = at(n.when).astimezone(dt.UTC)
        if n.kind == "submission":
            title, _, body = n.text.partition("|||")
            slug = re.sub(r"\W+", "_", title.lower())[:40].strip("_")
            item = rd.Submission(author=a.handle, date=when, id=rid, link=None, selftext=body or None, subreddit=sub,
                                 title=title, url=f"https://www.reddit.com/r/{sub}/comments/{rid}/{slug}/")  # fmt: skip
        else:
            parent = items[n.ref]
            thread = parent if isinstance(parent, rd.Submission) else items[_thread_of(n.ref)]
            parent_id = ("t3_" if isinstance(parent, rd.Submission) else "t1_") + parent.id
            item = rd.Comment(author=a.handle, body=n.text, date=when, id=rid, parentId=parent_id, subreddit=sub,
                              url=f"{thread.url}{rid}/")  # fmt: skip
        items.append(item)
        out.append(item.json())
    return out


def _thread_of(index: int) -> int:
    while REDDIT[index].kind != "submission":
        index = REDDIT[index].ref
    return index


# -------------------------------------------------------------------------------------------- CSV
def _fmt_count(value: int) -> str:
    """Exports write counts in different ways; vary them like real files do."""
    style = rng.random()
    if value >= 10_000 and style < 0.5:
        return f"{value / 1000:.1f}K"
    if value >= 1000 and style < 0.7:
        return f"{value:,}"
    return str(value)


def render_facebook() -> list[dict]:
    rows = []
    for i, n in enumerate(FACEBOOK):
        a = BY_KEY[n.who]
        pid = str(100_200_300_400 + i * 7_001)
        c = counts(a.followers)
        rows.append({
            "Facebook Id": pid, "Message": n.text, "Post Created": at(n.when).strftime("%Y-%m-%d %H:%M:%S"),
            "URL": f"https://www.facebook.com/{a.handle}/posts/{pid}", "User Name": a.handle, "Page Name": a.display_name,
            "Page Description": a.bio, "Followers at Posting": a.followers, "Likes": c["likes"],
            "Comments": c["replies"], "Shares": c["reposts"], "Link": "",
        })  # fmt: skip
    return rows


def render_instagram() -> list[dict]:
    rows = []
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
    for n in INSTAGRAM:
        a = BY_KEY[n.who]
        code = "C" + "".join(rng.choice(alphabet) for _ in range(10))
        c = counts(a.followers, 2)
        rows.append({
            "shortcode": code, "caption": n.text, "taken_at": at(n.when).isoformat(), "username": a.handle,
            "full_name": a.display_name, "biography": a.bio, "followers": a.followers, "likes": c["likes"],
            "comments": c["replies"], "video_views": "", "hashtags": " ".join(f"#{t}" for t in TAG_RE.findall(n.text)),
        })  # fmt: skip
    return rows


def render_tiktok() -> list[dict]:
    rows = []
    for i, n in enumerate(TIKTOK):
        a = BY_KEY[n.who]
        c = counts(a.followers, 4)
        rows.append({
            "video_id": str(7_430_100_000_000_000_000 + i * 1_234_567), "author_username": a.handle,
            "author_nickname": a.display_name, "author_signature": a.bio, "author_followers": _fmt_count(a.followers),
            "create_time": at(n.when).strftime("%Y-%m-%d %H:%M:%S"), "description": n.text,
            "play_count": _fmt_count(c["views"] * 5), "digg_count": _fmt_count(c["likes"]),
            "comment_count": _fmt_count(c["replies"]), "share_count": _fmt_count(c["reposts"]),
        })  # fmt: skip
    return rows


def write_csv(name: str, rows: list[dict], mapping: str) -> None:
    with (HERE / name).open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    sidecar = (HERE / name).with_name(Path(name).stem + ".mapping.yaml")
    text = (MAPPINGS / f"{mapping}.yaml").read_text(encoding="utf-8")
    sidecar.write_text(f"# Copied from configs/mappings/{mapping}.yaml by generate.py: how to read {name}.\n" + text,
                       encoding="utf-8")  # fmt: skip


# --------------------------------------------------------------------------------- personas, broken
def render_personas() -> dict:
    people = []
    for a in ACCOUNTS:
        if not a.asn:
            continue
        r = a.asn
        full = " ".join(x for x in (r["gelar_depan"], r["nama"]) if x)
        if r["gelar_belakang"]:
            full += ", " + r["gelar_belakang"]
        people.append({
            "key": a.key, "platform": a.platform, "handle": a.handle,
            "platform_id": f"user{a.uid}" if a.platform == "telegram" else None,
            "display_name": a.display_name, "bio": re.sub(r"<[^>]+>", " ", a.bio).strip() or None,
            "nama": r["nama"], "gelar_depan": r["gelar_depan"] or None, "gelar_belakang": r["gelar_belakang"] or None,
            "nama_lengkap": full, "jabatan": r["jabatan"], "instansi": r["instansi"], "unit_kerja": r["unit_kerja"],
            "kabupaten_kota": r["kabupaten_kota"], "provinsi": r["provinsi"], "declared": r["declared"],
            "behaviour": r["note"],
        })  # fmt: skip
    return {"personas": people}


BROKEN_JSONL = [
    '{"_type": "snscrape.modules.twitter.Tweet", "url": "https://twitter.com/warga_tjs/status/1851299999999999001", "date": "2026-10-30T01:00:00+00:00", "rawContent": "Baris yang baik: jalan Sukamaju sudah ditambal 👍", "id": 1851299999999999001, "user": {"username": "warga_tjs", "id": 1400021, "displayname": "Warga Tanjung Sari"}, "lang": "in"}',
    '{"_type": "snscrape.modules.twitter.Tweet", "url": "https://twitter.com/warga_tjs/status/1851299999999999002", "date": "kemarin sore", "rawContent": "tanggal tidak bisa dibaca", "id": 1851299999999999002, "user": {"username": "warga_tjs", "id": 1400021}}',
    '{"_type": "snscrape.modules.twitter.Tweet", "url": "https://twitter.com/warga_tjs/status/1851299999999999003", "date": "2026-10-30T02:00:00+00:00", "rawContent": "baris terpotong di tengah',
    '{"_type": "snscrape.modules.twitter.Tweet", "date": "2026-10-30T03:00:00+00:00", "rawContent": "tidak punya id", "user": {"username": "warga_tjs"}}',
    '{"_type": "snscrape.modules.twitter.Tweet", "url": "https://twitter.com/warga_tjs/status/1851299999999999005", "date": "2026-10-30T04:00:00+00:00", "rawContent": "jumlah like bukan angka", "id": 1851299999999999005, "likeCount": "banyak bgt", "user": {"username": "warga_tjs", "id": 1400021}}',
    '["bukan", "objek"]',
    '{"_type": "snscrape.modules.vkontakte.VKontaktePost", "url": "https://vk.com/wall1_1", "date": "2026-10-30T05:00:00+00:00", "content": "platform yang tidak didukung"}',
    '{"_type": "snscrape.modules.twitter.Tweet", "url": "https://twitter.com/warga_tjs/status/1851299999999999008", "date": "2026-10-30T06:00:00+00:00", "rawContent": "Baris baik kedua: TPS 05 pindah ke balai RW", "id": 1851299999999999008, "user": {"username": "warga_tjs", "id": 1400021}, "lang": "in"}',
]


def main() -> None:
    jsonl(HERE / "x_snscrape_tweets.jsonl", render_x_snscrape())
    jsonl(HERE / "x_twscrape_tweets.jsonl", render_x_twscrape())
    jsonl(HERE / "telegram_channels.jsonl", render_telegram_channels())
    (HERE / "telegram_export").mkdir(exist_ok=True)
    (HERE / "telegram_export" / "result.json").write_text(
        json.dumps(render_telegram_export(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (HERE / "mastodon_statuses.json").write_text(
        json.dumps(render_mastodon_api(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    jsonl(HERE / "mastodon_toots.jsonl", render_mastodon_snscrape())
    jsonl(HERE / "reddit.jsonl", render_reddit())
    write_csv("facebook_posts.csv", render_facebook(), "facebook")
    write_csv("instagram_posts.csv", render_instagram(), "instagram")
    write_csv("tiktok_videos.csv", render_tiktok(), "tiktok")
    header = ("# The civil-servant (ASN) personas of the demo data. FICTIONAL people; the registry helper\n"
              "# builds data/demo/registry.csv from this list. declared: the profile openly names the person\n"
              "# and their job (true) or the account is pseudonymous and identifiable only by hints (false).\n"
              "# behaviour: what the persona posts, so tests and reviewers know what to expect.\n")  # fmt: skip
    (HERE / "personas.yaml").write_text(
        header + yaml.safe_dump(render_personas(), allow_unicode=True, sort_keys=False, width=110), encoding="utf-8"
    )
    broken = HERE / "broken"
    if broken.exists():
        shutil.rmtree(broken)
    broken.mkdir()
    (broken / ".netraignore").write_text("# `netra collect file data/demo` skips this folder; import it by name to see rejects.\n")
    jsonl(broken / "broken_tweets.jsonl", BROKEN_JSONL)
    rows = render_tiktok()[:3]
    for row in rows:
        row["video_id"] = row["video_id"][:-3] + "999"  # not the demo's own videos
    rows[1]["create_time"] = "27/11/2026 pagi"
    rows[2]["digg_count"] = "banyak"
    write_csv("broken/broken_tiktok.csv", rows, "tiktok")
    n = (len(X_SNSCRAPE) + len(X_TWSCRAPE) + len(TELEGRAM_CHANNELS) + sum(x.kind != "service" for x in TELEGRAM_GROUP)
         + len(MASTODON_API) + len(MASTODON_SNSCRAPE) + len(REDDIT) + len(FACEBOOK) + len(INSTAGRAM) + len(TIKTOK))  # fmt: skip
    print(f"wrote {n} posts by {len(ACCOUNTS)} accounts ({sum(1 for a in ACCOUNTS if a.asn)} ASN personas) to {HERE}")


if __name__ == "__main__":
    main()
