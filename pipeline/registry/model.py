"""The Fellegi–Sunter model behind account matching: comparisons, levels, priors, blocking.

Every comparison is an account (left, ``_l``) against a registry record (right, ``_r``): Splink's
two-dataset link puts the table registered under the smaller name on the left, and
``matcher.py`` registers accounts as ``a_accounts`` and records as ``b_registry``.

The levels are built from Splink's comparison-level library (``cll``) wherever one exists, so the
same model runs on DuckDB here and on Spark for a national registry; the few custom SQL snippets
are written in DuckDB SQL and translated by Splink (sqlglot) for other backends.

``m`` probabilities (how often a true match lands in a level) are set from prior knowledge of
Indonesian accounts and registries and are documented, level by level, in docs/matching.md; they
can be overridden. ``u`` probabilities (how often a random non-matching pair lands there) start
from the priors below and are re-estimated from the data by random sampling when there is enough
of it. The exact-name level uses term frequencies of the registry's names instead of a single u,
which is what keeps a "Sri Wahyuni" from counting as much as a rare name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
from splink import block_on
from splink.comparison_library import CustomComparison


@dataclass(frozen=True)
class Level:
    code: str
    label: str  # English, for reviewers
    label_id: str  # Indonesian, for reviewers
    m: float | None = None
    u: float | None = None


# Ordered from most to least specific, as Splink evaluates them; the null level first has no m/u.
LEVELS: dict[str, list[Level]] = {
    "name": [
        Level("null", "account shows no name", "akun tidak menampilkan nama"),
        Level("exact", "full name matches", "nama lengkap sama", 0.50, 1e-4),
        Level("handle", "the handle spells the full name", "handle mengeja nama lengkap", 0.08, 1e-4),
        Level(
            "within",
            "account name is part of the registry name",
            "nama akun bagian dari nama di data",
            0.12,
            1e-4,
        ),
        Level(
            "contains",
            "registry name is part of the account name",
            "nama di data bagian dari nama akun",
            0.03,
            1e-4,
        ),
        Level("similar", "name spelled similarly", "ejaan nama mirip", 0.06, 2e-4),
        Level(
            "short",
            "account shows one word of the name",
            "akun hanya menampilkan satu kata dari nama",
            0.14,
            5e-3,
        ),
        Level(
            "partial",
            "some name words agree, others differ",
            "sebagian kata nama sama, sebagian beda",
            0.06,
            0.03,
        ),
        Level("differ", "names differ", "nama berbeda", 0.04, 0.9646),
    ],
    "titles": [
        Level("null", "account shows no title", "akun tidak menampilkan gelar"),
        Level("shared", "same academic or religious title", "gelar sama", 0.8, 0.3),
        Level(
            "differ", "account shows a title the record lacks", "gelar di akun tidak ada di data", 0.2, 0.7
        ),
    ],
    "region": [
        Level("null", "account names no region of the registry", "akun tidak menyebut wilayah"),
        Level("kab", "same kabupaten/kota", "kabupaten/kota sama", 0.72, 0.02),
        Level(
            "prov",
            "same province (account names no kabupaten/kota)",
            "provinsi sama (kab/kota tidak disebut)",
            0.12,
            0.05,
        ),
        Level(
            "prov_other",
            "same province, other kabupaten/kota",
            "provinsi sama, kabupaten/kota beda",
            0.04,
            0.15,
        ),
        Level("differ", "other region", "wilayah berbeda", 0.12, 0.78),
    ],
    "job": [
        Level("null", "bio names no job", "bio tidak menyebut pekerjaan"),
        Level("same", "same job", "pekerjaan sama", 0.85, 0.25),
        Level("differ", "other job", "pekerjaan berbeda", 0.15, 0.75),
    ],
    "workplace": [
        Level("null", "bio names no workplace", "bio tidak menyebut tempat kerja"),
        Level(
            "unit", "same unit (agency and place agree)", "unit kerja sama (instansi dan tempat)", 0.45, 0.002
        ),
        Level("place", "same place or numbered unit", "tempat atau nomor unit sama", 0.15, 0.01),
        Level("office", "same office (Dinas, Badan) named", "kantor (dinas/badan) sama", 0.15, 0.03),
        Level("agency", "the agency or unit the account names", "instansi atau unit yang disebut akun",
              0.27, 0.25),
        # Only an agency above what the account names is shared: "guru SD" and a record at an SMA
        # (both under the Dinas Pendidikan), "perawat RSUD" and one at a puskesmas (both Dinkes).
        Level("parent", "another unit of the same agency", "unit lain di bawah instansi yang sama",
              0.03, 0.15),
        Level("differ", "other workplace", "tempat kerja berbeda", 0.10, 0.588),
    ],
    "gender": [
        Level("null", "gender not shown", "jenis kelamin tidak tampak"),
        Level("same", "gender agrees with the NIP", "jenis kelamin sesuai NIP", 0.97, 0.5),
        Level("differ", "gender contradicts the NIP", "jenis kelamin bertentangan dengan NIP", 0.03, 0.5),
    ],
}

# Account-level evidence: what the bio says about being a civil servant at all. It is not compared
# with a record (every record is a civil servant), so it is not a Splink comparison: it changes the
# prior that the account is in the registry, with P(status | in registry) and
# P(status | not in registry) estimated by EM over the accounts (matcher.estimate_prior). These are
# the starting values and the fallback for small batches.
STATUS_LEVELS: list[Level] = [
    Level("asn", "bio says civil servant (PNS/ASN)", "bio menyebut PNS/ASN", 0.30, 0.03),
    Level("non_asn", "bio says not a civil servant (honorer, swasta, ...)",
          "bio menyebut bukan ASN (honorer, swasta, ...)", 0.02, 0.25),
    Level("silent", "bio silent on status", "bio tidak menyebut status", 0.68, 0.72),
]  # fmt: skip
STATUS_CODES = {1: "asn", -1: "non_asn", 0: "silent"}

# Whether the account says where or as what it works at all, and whether it names a region of the
# registry. Splink's comparisons leave "the account does not say" neutral (the null level), which
# is right between one account and two records, but saying nothing is itself evidence about being
# in the registry: civil servants who post name their school or puskesmas far more often than
# namesakes who are not civil servants. Like the status, these multiply the prior odds, with
# P(· | in) (m) and P(· | not in) (u) estimated by the same EM over the accounts; these are the
# starting values. Given in/out, the three are taken as independent.
ACCOUNT_FACTORS: dict[str, list[Level]] = {
    "status": STATUS_LEVELS,
    "work": [
        Level("says", "bio names a job or workplace", "bio menyebut pekerjaan atau tempat kerja", 0.75, 0.5),
        Level("silent", "bio names no job or workplace", "bio tidak menyebut pekerjaan/tempat kerja",
              0.25, 0.5),
    ],
}  # fmt: skip
_WORK_COLUMNS = ("jobs", "agencies", "units", "places", "offices")


def account_codes(feats: dict[str, Any]) -> dict[str, str]:
    """The account-level evidence codes of one account's features (see ACCOUNT_FACTORS)."""
    return {
        "status": STATUS_CODES.get(feats.get("asn_flag"), "silent"),
        "work": "says" if any(feats.get(c) for c in _WORK_COLUMNS) else "silent",
    }


# Name levels scored with the registry's name frequencies (term-frequency adjustment).
TF_LEVELS = frozenset({"exact", "handle", "within", "contains"})


def level(comparison: str, code: str) -> Level:
    return next(lv for lv in LEVELS[comparison] if lv.code == code)


def _configure(creator: Any, lv: Level, m: dict[str, float] | None, **extra: Any) -> Any:
    m_value = (m or {}).get(lv.code, lv.m)
    creator.configure(m_probability=m_value, u_probability=lv.u, label_for_charts=lv.code, **extra)
    return creator


def _custom(sql: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, base_dialect_str="duckdb")


class _JaroWinklerAcross(cll.CustomLevel):
    """jaro_winkler(handle_concat_l, name_concat_r) >= t, with each backend's function name."""

    def __init__(self, threshold: float) -> None:
        super().__init__("", label_for_charts="similar")
        self.threshold = threshold

    def create_sql(self, sql_dialect: Any) -> str:
        fn = sql_dialect.jaro_winkler_function_name
        return f"{fn}(handle_concat_l, name_concat_r) >= {self.threshold}"


def comparisons(m_overrides: dict[str, dict[str, float]] | None = None) -> list[CustomComparison]:
    """The six comparisons, with prior m and u on every level."""
    mo = m_overrides or {}

    def lv(comp: str, code: str, creator: Any, **extra: Any) -> Any:
        return _configure(creator, level(comp, code), mo.get(comp), **extra)

    def null(comp: str, creator: Any) -> Any:
        creator.configure(is_null_level=True, label_for_charts="null")
        return creator

    tf = {"tf_adjustment_column": "name_key", "tf_adjustment_weight": 1.0}
    intersect = cll.ArrayIntersectLevel
    one_word = _custom("array_length(name_tokens_l) = 1")
    shared = "array_length(array_intersect(name_tokens_l, name_tokens_r))"
    n_l, n_r = "array_length(name_tokens_l)", "array_length(name_tokens_r)"
    name = CustomComparison(
        output_column_name="name",
        comparison_levels=[
            null("name", _custom("name_tokens_l IS NULL AND handle_concat_l IS NULL")),
            lv("name", "exact", cll.ExactMatchLevel("name_key"), **tf),
            lv("name", "handle", _custom("handle_concat_l = name_concat_r"), **tf),
            lv("name", "within", _custom(f"{n_l} >= 2 AND {shared} = {n_l}"), **tf),
            lv("name", "contains", _custom(f"{n_r} >= 2 AND {shared} = {n_r}"), **tf),
            # Spelling variants (Santosa/Santoso, Wahjuni/Wahyuni): the whole name close AND its first
            # and last words each close, so "Kartika Lestari" is not "Kartika Sari" (JW 0.96 as a
            # whole); a glued handle must be closer still (no word boundaries to check).
            lv("name", "similar", cll.Or(
                cll.And(cll.JaroWinklerLevel("name_norm", 0.92), cll.JaroWinklerLevel("name_first", 0.9),
                        cll.JaroWinklerLevel("name_last", 0.9)),
                _JaroWinklerAcross(0.95),
            )),
            lv("name", "short", cll.And(one_word, intersect("name_tokens", 1))),
            lv("name", "partial", intersect("name_tokens", 1)),
            lv("name", "differ", cll.ElseLevel()),
        ],
    )  # fmt: skip
    titles = CustomComparison(
        output_column_name="titles",
        comparison_levels=[
            null("titles", cll.NullLevel("titles")),
            lv("titles", "shared", cll.ArrayIntersectLevel("titles", 1)),
            lv("titles", "differ", cll.ElseLevel()),
        ],
    )
    region = CustomComparison(
        output_column_name="region",
        comparison_levels=[
            null(
                "region",
                _custom("(kabs_l IS NULL AND provs_l IS NULL) OR (kabs_r IS NULL AND provs_r IS NULL)"),
            ),
            lv("region", "kab", cll.ArrayIntersectLevel("kabs", 1)),
            lv("region", "prov", cll.And(_custom("kabs_l IS NULL"), cll.ArrayIntersectLevel("provs", 1))),
            lv("region", "prov_other", cll.ArrayIntersectLevel("provs", 1)),
            lv("region", "differ", cll.ElseLevel()),
        ],
    )
    job = CustomComparison(
        output_column_name="job",
        comparison_levels=[
            null("job", cll.NullLevel("jobs")),
            lv("job", "same", cll.ArrayIntersectLevel("jobs", 1)),
            lv("job", "differ", cll.ElseLevel()),
        ],
    )
    # What the account names (its kinds, without their parents) is the record's agency or one
    # above it: "PNS Dinkes" fits a record at a puskesmas, "guru SD" does not fit one at an SMA.
    named_agency = _custom("array_length(array_intersect(kinds_l, agencies_r)) >= 1")
    workplace = CustomComparison(
        output_column_name="workplace",
        comparison_levels=[
            null("workplace", _custom(
                "(agencies_l IS NULL AND units_l IS NULL AND places_l IS NULL) "
                "OR (agencies_r IS NULL AND units_r IS NULL AND places_r IS NULL)")),
            lv("workplace", "unit", cll.And(intersect("places", 1),
                                            cll.Or(intersect("units", 1), named_agency))),
            lv("workplace", "place", cll.Or(intersect("places", 1), intersect("units", 1))),
            lv("workplace", "office", intersect("offices", 1)),
            lv("workplace", "agency", named_agency),
            lv("workplace", "parent", cll.ArrayIntersectLevel("agencies", 1)),
            lv("workplace", "differ", cll.ElseLevel()),
        ],
    )  # fmt: skip
    gender = CustomComparison(
        output_column_name="gender",
        comparison_levels=[
            null("gender", cll.NullLevel("gender")),
            lv("gender", "same", cll.ExactMatchLevel("gender")),
            lv("gender", "differ", cll.ElseLevel()),
        ],
    )
    return [name, titles, region, job, workplace, gender]


def blocking_rules() -> list[Any]:
    """Candidate pairs: same name, handle spelling the name, same first+last word, or a shared name
    word within the same kabupaten/kota or with the same workplace place name ("SDN 2 Sukamaju").
    A pair must pass at least one."""
    return [
        block_on("name_key"),
        "l.handle_concat = r.name_concat",
        block_on("name_first", "name_last"),
        block_on("block_tokens", "kab", arrays_to_explode=["block_tokens"]),
        block_on("block_tokens", "places", arrays_to_explode=["block_tokens", "places"]),
    ]


def settings_dict(
    n_records: int,
    m_overrides: dict[str, dict[str, float]] | None = None,
    rules: list[Any] | None = None,
) -> dict[str, Any]:
    """A Splink settings object (as SettingsCreator) for linking accounts to ``n_records`` records.

    ``probability_two_random_records_match`` is 1/n_records; the matcher removes this prior from
    Splink's match weight and applies its own (see :mod:`pipeline.registry.matcher`).
    """
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=1.0 / max(n_records, 2),
        blocking_rules_to_generate_predictions=rules or blocking_rules(),
        comparisons=comparisons(m_overrides),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
    )
