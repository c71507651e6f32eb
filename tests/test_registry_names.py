import pytest
import yaml

from pipeline.registry.names import (
    TITLES_FILE,
    normalise_handle,
    normalise_name,
    normalise_token,
    parse_display_name,
    parse_handle,
    parse_name,
    parse_registry_name,
    title_key,
    titles,
)

# The forms the issue lists, as registries and profiles write them: (written, canonical title).
FRONT = [
    ("Dr.", "Dr."), ("DR", "Dr."), ("Drs.", "Drs."), ("Drs", "Drs."), ("Dra.", "Dra."), ("Ir.", "Ir."),
    ("Ir", "Ir."), ("Prof.", "Prof."), ("Prof", "Prof."), ("H.", "H."), ("H", "H."), ("Hj.", "Hj."),
    ("Hj", "Hj."), ("dr.", "dr."), ("Ns.", "Ns."),
]  # fmt: skip
BACK = [
    ("S.Pd.", "S.Pd."), ("S.Pd", "S.Pd."), ("SPd", "S.Pd."), ("S. Pd", "S.Pd."), ("S.Pd.I", "S.Pd.I."),
    ("S.Pd.I.", "S.Pd.I."), ("S.E.", "S.E."), ("SE", "S.E."), ("S.H.", "S.H."), ("SH", "S.H."),
    ("M.Si.", "M.Si."), ("M.Si", "M.Si."), ("M.Pd.", "M.Pd."), ("M.Ap", "M.AP."), ("M.AP", "M.AP."),
    ("S.IP", "S.IP."), ("A.Md.", "A.Md."), ("A.Md", "A.Md."), ("Amd", "A.Md."), ("Amd. Keb", "A.Md.Keb."),
    ("A.Md.Keb", "A.Md.Keb."), ("S.Km", "S.KM."), ("SKM", "S.KM."), ("M.E.", "M.E."), ("S.Kom", "S.Kom."),
    ("S.T.", "S.T."), ("ST", "S.T."), ("M.M.", "M.M."), ("MM", "M.M."), ("S.Sos", "S.Sos."),
    ("S.Sos.", "S.Sos."),
]  # fmt: skip


@pytest.mark.parametrize(("written", "title"), FRONT)
def test_front_titles_are_parsed_off_and_kept(written, title):
    parsed = parse_name(f"{written} Budi Santoso")
    assert parsed.tokens == ("budi", "santoso")
    assert parsed.titles == (title,)


@pytest.mark.parametrize(("written", "title"), BACK)
@pytest.mark.parametrize("joiner", [", ", " "])
def test_back_titles_are_parsed_off_after_a_comma_or_a_space(written, title, joiner):
    parsed = parse_name(f"Sri Wahyuni{joiner}{written}")
    assert parsed.tokens == ("sri", "wahyuni")
    assert parsed.titles == (title,)


def _lexicon_entries():
    data = yaml.safe_load(TITLES_FILE.read_text(encoding="utf-8"))
    for pos in ("front", "back"):
        for item in data[pos]:
            for form in [item["title"], *(item.get("aliases") or [])]:
                yield pos, form, item


@pytest.mark.parametrize(("pos", "form", "item"), list(_lexicon_entries()))
def test_every_form_in_the_lexicon_is_recognised(pos, form, item):
    name = f"{form} Ratna Dewi" if pos == "front" else f"Ratna Dewi, {form}"
    parsed = parse_name(name)
    assert parsed.tokens == ("ratna", "dewi"), name
    expected = item.get("expands") or [item["title"]]
    assert list(parsed.titles) == expected, name


def test_many_titles_front_and_back_in_one_name():
    parsed = parse_name("Prof. Dr. Ir. H. Bambang Sutrisno, S.E., M.M., M.Si.")
    assert parsed.tokens == ("bambang", "sutrisno")
    assert parsed.titles == ("Prof.", "Dr.", "Ir.", "H.", "S.E.", "M.M.", "M.Si.")
    assert parsed.gender == "L"


def test_glued_titles_and_odd_spacing():
    assert parse_name("Dr.H.Budi Santoso,S.Pd.,M.Si").titles == ("Dr.", "H.", "S.Pd.", "M.Si.")
    assert parse_name("Ahmad Khairul S. Pd. I").titles == ("S.Pd.I.",)
    assert parse_name("Dewi Lestari, S.Kep.Ns").titles == ("S.Kep.", "Ns.")


def test_dr_lower_case_is_a_physician_and_upper_case_a_doctorate():
    assert titles().lookup_front("dr.").field == "kedokteran"
    assert titles().lookup_front("Dr.").level == "S3"


def test_ambiguous_short_titles_need_dots_capitals_or_a_comma():
    assert parse_name("Rose Se").tokens == ("rose", "se")  # a name, not S.E.
    assert parse_name("Rose SE").titles == ("S.E.",)
    assert parse_name("Rose, Se").titles == ("S.E.",)


def test_gendered_titles_give_the_gender():
    assert parse_name("Dra. Hj. Endang").gender == "P"
    assert parse_name("Drs. Joko").gender == "L"
    assert parse_name("Hj. Drs. Joko").gender is None  # contradictory: say nothing


def test_one_word_names():
    assert parse_name("Soekarno").tokens == ("sukarno",)
    assert parse_name("SUPARMAN, S.Pd").tokens == ("suparman",)
    assert parse_name("H. Sulastri").tokens == ("sulastri",)


def test_title_columns_and_titles_inside_the_name_combine():
    parsed = parse_registry_name("Hj. Sri Wahyuni", "", "S.Pd.")
    assert parsed.tokens == ("sri", "wahyuni")
    assert parsed.titles == ("Hj.", "S.Pd.")
    assert parse_registry_name("BUDI SANTOSO", "Drs.", "M.AP").titles == ("Drs.", "M.AP.")


@pytest.mark.parametrize(
    ("old", "new"),
    [("Soekarno", "sukarno"), ("Djoko", "joko"), ("Tjahjono", "cahyono"), ("Soejono", "suyono"),
     ("Chairul", "khairul"), ("Sjahrir", "syahrir"), ("Djojohadikusumo", "joyohadikusumo"),
     ("Achmad", "ahmad"), ("Mochammad", "muhamad"), ("Muhammad", "muhamad"), ("Moh", "muhamad"),
     ("Noer", "nur"), ("Jusuf", "yusuf"), ("Ménéz", "menez"), ("Santosa", "santoso"),
     ("Prasetya", "prasetyo"), ("Wibawa", "wibowo")],
)  # fmt: skip
def test_old_spellings_and_variants_normalise_to_one_form(old, new):
    assert normalise_token(old) == new


def test_modern_j_stays_and_case_does_not_matter():
    assert normalise_name("Joko Widodo") == normalise_name("JOKO WIDODO") == "joko widodo"
    assert normalise_name("Djoko Widodo") == "joko widodo"
    assert normalise_name("M. Yusuf") != normalise_name("Muhammad Yusuf")  # initials are not expanded here
    assert parse_name("M. Yusuf").tokens == parse_name("Muhammad Yusuf").tokens


@pytest.mark.parametrize(
    ("handle", "tokens", "titles", "concat"),
    [
        ("budi_santoso88", ("budi", "santoso"), (), "budisantoso"),
        ("bu.ratna.spd", ("ratna",), ("S.Pd.",), "ratna"),
        ("@BuRatnaSPd", ("ratna",), ("S.Pd.",), "ratna"),
        ("sriwahyuni_spd", ("sriwahyuni",), ("S.Pd.",), "sriwahyuni"),
        ("dr_siti", ("siti",), ("dr.",), "siti"),
        ("hj.endang", ("endang",), ("Hj.",), "endang"),
        ("m_yusuf", ("muhamad", "yusuf"), (), "muhamadyusuf"),
        ("amdkeb.ratna", ("ratna",), ("A.Md.Keb.",), "ratna"),
        ("rudi_hartono@sosial.example", ("rudi", "hartono"), (), "rudihartono"),
        ("official_kopisenja", ("kopisenja",), (), "kopisenja"),
    ],
)
def test_handles_carry_names_titles_and_forms_of_address(handle, tokens, titles, concat):
    parsed = parse_handle(handle)
    assert parsed.tokens == tokens
    assert parsed.titles == titles
    assert parsed.concat == concat


def test_handle_gender_from_form_of_address():
    assert parse_handle("bu.ratna.spd").gender == "P"
    assert parse_handle("pak_budi88").gender == "L"


def test_display_names_lose_forms_of_address_and_keep_the_rest_apart():
    parsed = parse_display_name("Bu Ratna | Guru SDN 2 Sukamaju")
    assert parsed.tokens == ("ratna",)
    assert parsed.gender == "P"
    assert parsed.extra == "Guru SDN 2 Sukamaju"
    assert parse_display_name("Pak Budi Santoso 🇮🇩").tokens == ("budi", "santoso")
    assert parse_display_name("Sri Wahyuni, S.Pd").titles == ("S.Pd.",)
    assert parse_display_name("Mbak Sri (bidan desa)").extra == "bidan desa"


def test_title_keys_ignore_dots_spaces_and_case():
    assert title_key("S. Pd. I") == title_key("S.Pd.I") == title_key("spdi") == "spdi"
    assert normalise_handle("https://x.com/Budi_88") == "budi_88"
    assert normalise_handle("@Budi_88") == "budi_88"
