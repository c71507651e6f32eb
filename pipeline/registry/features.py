"""What a bio, a location or a registry row says about job, workplace, region and status.

The same lexicon (``bio.yaml``) reads both sides, so an account's "guru SDN 2 Sukamaju" and a
record's jabatan "Guru Ahli Pertama" at unit "SD Negeri 2 Sukamaju" produce the same codes:
job ``guru``, agency ``sd`` (and its parents ``disdik``, ``pemda``), unit ``sd 2`` and place
``sukamaju``. Regions are recognised with a gazetteer learned from the registry itself (its
``kabupaten_kota`` and ``provinsi`` values), so no outside list of places is needed and fictional
regions work as well as real ones.

The output of :func:`record_features` and :func:`account_features` is one flat row per record or
account with the columns the Splink model compares (see ``matcher.py``). Empty lists become None
so that Splink's null levels treat "the account does not say" as no evidence either way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .names import fold, normalise_token, parse_account_name, parse_registry_name, titles

BIO_FILE = Path(__file__).resolve().parent / "bio.yaml"

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_GLUED_NUMBER = re.compile(r"\b(sdn|smpn|sman|smkn|sd|smp|sma|smk|mtsn|slbn|slb|tkn|min|pkm)(\d{1,3})\b")
_REGION_PREFIX = re.compile(
    r"^(?:(?:kabupaten|kab|kota|kotamadya|kodya|provinsi|propinsi|prov|daerah istimewa|adm|administrasi)\s+)+"
)
# Where one statement in a bio ends: "Bidan Puskesmas Sukamaju 👶 | Abdi negara" is two.
_SEGMENT = re.compile(r"[|;,•·/\n\u2600-\u27bf\U0001F000-\U0001FAFF]+")
_TITLE_IN_TEXT = re.compile(r"\b[A-Z][A-Za-z]{0,3}\.(?:\s?[A-Za-z]{1,4}\.?){1,3}")


def text_key(text: str | None) -> str:
    """Lower case, no accents, letters and digits separated by single spaces."""
    if not text:
        return ""
    return _NON_ALNUM.sub(" ", fold(text)).strip()


@dataclass(frozen=True)
class Agency:
    code: str
    parent: str | None = None
    place: bool = False
    numbered: bool = False
    agency: bool = True  # False: the word only introduces a place ("desa Sukamaju")


@dataclass(frozen=True)
class WorkFeatures:
    jobs: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()  # what is named, with the agencies above it (sd → sd, disdik, pemda)
    # What is named itself, without its parents: "guru SD" names an SD (kind sd), which a record at an
    # SMA does not fit, though both are under the Dinas Pendidikan.
    kinds: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    # Offices named outright ("Dinas Kesehatan", "Bappeda", "PPL" → bpp, distan), not through a
    # unit below them: "guru SDN 2" names a school, not the Dinas Pendidikan's office.
    offices: tuple[str, ...] = ()
    asn: bool = False
    non_asn: bool = False
    gender: str | None = None


class BioLexicon:
    """Phrases to codes, compiled into one regular expression (longest phrase first)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.agencies: dict[str, Agency] = {}
        self.phrases: dict[str, list[tuple[str, str]]] = {}
        for code, words in (data.get("jobs") or {}).items():
            for w in words:
                self._add(w, "job", code)
        for code, spec in (data.get("agencies") or {}).items():
            self.agencies[code] = Agency(
                code,
                spec.get("parent"),
                bool(spec.get("place")),
                bool(spec.get("numbered")),
                bool(spec.get("agency", True)),
            )
            for w in spec.get("phrases") or []:
                self._add(w, "agency", code)
        for w in data.get("asn_markers") or []:
            self._add(w, "asn", "asn")
        for w in data.get("non_asn_markers") or []:
            self._add(w, "non_asn", "non_asn")
        for gender, words in (data.get("gender") or {}).items():
            for w in words:
                self._add(w, "gender", gender)
        self.negations = frozenset(text_key(w) for w in data.get("negations") or [])
        self.place_stopwords = frozenset(data.get("place_stopwords") or [])
        alternation = "|".join(re.escape(p) for p in sorted(self.phrases, key=len, reverse=True))
        self.pattern = re.compile(rf"\b(?:{alternation})\b")
        self.max_negation_words = max((len(n.split()) for n in self.negations), default=1)

    def _add(self, phrase: str, kind: str, code: str) -> None:
        key = text_key(phrase)
        if key:
            self.phrases.setdefault(key, []).append((kind, code))

    def lineage(self, code: str) -> list[str]:
        """The agency and its parents: sd → [sd, disdik, pemda]."""
        out: list[str] = []
        while code and code not in out:
            out.append(code)
            agency = self.agencies.get(code)
            code = agency.parent if agency else None
        return out


@lru_cache(maxsize=1)
def bio_lexicon() -> BioLexicon:
    return BioLexicon(yaml.safe_load(BIO_FILE.read_text(encoding="utf-8")))


def _negated(words_before: list[str], lex: BioLexicon) -> bool:
    for n in range(1, lex.max_negation_words + 1):
        if len(words_before) >= n and " ".join(words_before[-n:]) in lex.negations:
            return True
    return False


def _place_after(rest: str, lex: BioLexicon) -> tuple[str | None, list[str]]:
    """Number and place words following an agency: " 2 sukamaju barat, ..." → ("2", [...])."""
    words = rest.split()
    number = None
    i = 0
    if i < len(words) and words[i] == "negeri":
        i += 1
    if i < len(words) and words[i].isdigit() and len(words[i]) <= 3:
        number = words[i]
        i += 1
    place: list[str] = []
    while i < len(words) and len(place) < 3:
        w = words[i]
        if w.isdigit():
            if number is None and len(w) <= 3 and place:
                number = w
            break
        if w in lex.place_stopwords or w in lex.phrases or len(w) < 3:
            break
        place.append(w)
        i += 1
    return number, place


def extract_work(*texts: str | None) -> WorkFeatures:
    """Jobs, agencies, numbered units, place names and status markers in free texts.

    Each text is read on its own (a place name never runs from a bio into a location).
    """
    segments = [seg for t in texts if t for seg in _SEGMENT.split(t)]
    parts = [_extract_work_key(k) for k in (text_key(seg) for seg in segments) if k]
    if not parts:
        return WorkFeatures()
    if len(parts) == 1:
        return parts[0]

    def merged(attr: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for p in parts for v in getattr(p, attr)))

    asn = any(p.asn for p in parts)
    genders = {p.gender for p in parts if p.gender}
    return WorkFeatures(
        jobs=merged("jobs"), agencies=merged("agencies"), kinds=merged("kinds"), units=merged("units"),
        places=merged("places"), offices=merged("offices"), asn=asn,
        non_asn=any(p.non_asn for p in parts) and not asn,
        gender=genders.pop() if len(genders) == 1 else None,
    )  # fmt: skip


@lru_cache(maxsize=100_000)
def _extract_work_key(key: str) -> WorkFeatures:
    lex = bio_lexicon()
    key = _GLUED_NUMBER.sub(r"\1 \2", key)
    jobs: dict[str, None] = {}
    agencies: dict[str, None] = {}
    kinds: dict[str, None] = {}
    units: dict[str, None] = {}
    places: dict[str, None] = {}
    offices: dict[str, None] = {}
    asn = non_asn = False
    genders: set[str] = set()
    for m in lex.pattern.finditer(key):
        before = key[: m.start()].split()
        negated = _negated(before, lex)
        for kind, code in lex.phrases[m.group(0)]:
            if kind == "asn":
                asn = asn or not negated
            elif kind == "non_asn":
                non_asn = non_asn or not negated
            elif negated:
                continue
            elif kind == "job":
                jobs[code] = None
            elif kind == "gender":
                genders.add(code)
            elif kind == "agency":
                agency = lex.agencies[code]
                if agency.agency:
                    kinds[code] = None
                    for c in lex.lineage(code):
                        agencies[c] = None
                    if not (agency.place or agency.numbered):
                        for c in lex.lineage(code):
                            if c not in GENERIC_AGENCIES:
                                offices[c] = None
                if agency.place or agency.numbered:
                    number, place = _place_after(key[m.end() :], lex)
                    if agency.numbered and number:
                        units[f"{code} {int(number)}"] = None
                    if agency.place and place:
                        norm = [normalise_token(w) for w in place]
                        for n in range(1, len(norm) + 1):
                            places[" ".join(norm[:n])] = None
    return WorkFeatures(
        jobs=tuple(jobs), agencies=tuple(agencies), kinds=tuple(kinds), units=tuple(units),
        places=tuple(places), offices=tuple(offices), asn=asn, non_asn=non_asn and not asn,
        gender=genders.pop() if len(genders) == 1 else None,
    )  # fmt: skip


def titles_in_text(text: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Back titles written with dots inside free text ("Ratna, S.Pd. | guru"): (titles, fields)."""
    if not text:
        return (), ()
    lex = titles()
    found: dict[str, None] = {}
    fields: dict[str, None] = {}
    for m in _TITLE_IN_TEXT.finditer(text):
        t = lex.lookup_back(m.group(0).strip(), strict=True)
        if t is not None:
            for x in lex.expand(t):
                found[x.title] = None
                if x.field:
                    fields[x.field] = None
    return tuple(found), tuple(fields)


@lru_cache(maxsize=50_000)
def region_key(value: str | None) -> str:
    """The comparable form of a region name: "KAB. TANJUNG SARI" → "tanjung sari"."""
    key = _REGION_PREFIX.sub("", text_key(value))
    return " ".join(normalise_token(w) for w in key.split() if normalise_token(w))


@dataclass
class Gazetteer:
    """Kabupaten/kota and provinces known to the registry, to find them in bios and locations."""

    kab_to_prov: dict[str, str] = field(default_factory=dict)
    provinces: frozenset[str] = frozenset()

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str | None, str | None]]) -> Gazetteer:
        votes: dict[str, Counter[str]] = {}
        provs: set[str] = set()
        for kab, prov in pairs:
            k, p = region_key(kab), region_key(prov)
            if p:
                provs.add(p)
            if k:
                votes.setdefault(k, Counter())
                if p:
                    votes[k][p] += 1
        mapping = {k: (c.most_common(1)[0][0] if c else "") for k, c in votes.items()}
        return cls(mapping, frozenset(provs))

    def __post_init__(self) -> None:
        names = sorted(set(self.kab_to_prov) | set(self.provinces), key=len, reverse=True)
        alternation = "|".join(re.escape(n) for n in names if n)
        self._pattern = re.compile(rf"\b(?:{alternation})\b") if alternation else None

    def find(self, *texts: str | None) -> tuple[list[str], list[str]]:
        """Kabupaten/kota and provinces mentioned in the texts, in order of appearance."""
        kabs: dict[str, None] = {}
        provs: dict[str, None] = {}
        if self._pattern is None:
            return [], []
        for text in texts:
            key = text_key(text)
            if not key:
                continue
            norm = " ".join(normalise_token(w) or w for w in key.split())
            for m in self._pattern.finditer(norm):
                name = m.group(0)
                if name in self.kab_to_prov:
                    kabs[name] = None
                    if self.kab_to_prov[name]:
                        provs[self.kab_to_prov[name]] = None
                if name in self.provinces:
                    provs[name] = None
        return list(kabs), list(provs)


# Agencies nearly every record shares: agreeing on them says nothing about the person.
# "ASN Pemkab" is said of nearly every regional civil servant, and loosely (pemkab for pemkot).
GENERIC_AGENCIES = frozenset({"pemda", "pemkab", "pemkot", "pemprov"})


def _list(values: Iterable[str]) -> list[str] | None:
    out = list(dict.fromkeys(v for v in values if v))
    return out or None


def record_features(row: dict[str, Any]) -> dict[str, Any]:
    """The comparison columns of one registry record (keys as in the import: nip, nama, ...)."""
    name = parse_registry_name(row.get("nama"), row.get("gelar_depan"), row.get("gelar_belakang"))
    work = _record_work(row.get("jabatan") or "", row.get("instansi") or "", row.get("unit_kerja") or "")
    gender = row.get("gender")
    if gender not in ("L", "P"):
        gender = name.gender
    kab, prov = region_key(row.get("kabupaten_kota")), region_key(row.get("provinsi"))
    tokens = list(dict.fromkeys(name.tokens))
    return {
        "unique_id": str(row["nip"]),
        "name_key": name.key or None,
        "name_norm": " ".join(name.tokens) or None,
        "name_first": name.first,
        "name_last": name.last,
        "name_tokens": tokens or None,
        "block_tokens": tokens or None,
        "name_concat": name.concat or None,
        "handle_concat": None,
        "titles": _list(name.titles),
        "gender": gender,
        "kab": kab or None,
        "kabs": [kab] if kab else None,
        "provs": [prov] if prov else None,
        "jobs": _list(work.jobs),
        "agencies": _list(a for a in work.agencies if a not in GENERIC_AGENCIES),
        "kinds": _list(a for a in work.kinds if a not in GENERIC_AGENCIES),
        "units": _list(work.units),
        "places": _list(work.places),
        "offices": _list(work.offices),
        "asn_flag": None,
    }


@lru_cache(maxsize=200_000)
def _record_work(jabatan: str, instansi: str, unit_kerja: str) -> WorkFeatures:
    job = extract_work(jabatan)
    where = extract_work(unit_kerja, instansi)
    return WorkFeatures(
        jobs=job.jobs,
        agencies=tuple(dict.fromkeys(job.agencies + where.agencies)),
        kinds=tuple(dict.fromkeys(job.kinds + where.kinds)),
        units=tuple(dict.fromkeys(job.units + where.units)),
        places=tuple(dict.fromkeys(job.places + where.places)),
        offices=extract_work(unit_kerja).offices,  # the instansi is the employer, not the office
    )


def split_glued(token: str, vocab: frozenset[str], max_words: int = 3) -> list[str]:
    """A glued handle word split into registry name words: "budikurniawan" → [budi, kurniawan].

    Only a complete cover by known words of 3+ letters counts (fewest words, then the longest
    first word); anything else stays as it is, so "kopisenja" is not forced into names. Tokens
    have their doubled letters collapsed, and so has the seam where one word ends with the letter
    the next begins with ("agussantoso" → "agusantoso"): a word may start on the last letter of
    the word before it (agu[s]antoso → agus, santoso), after the splits that need no such seam.
    """
    if token in vocab or len(token) < 6:
        return [token]
    best: list[str] | None = None

    def walk(start: int, words: list[str]) -> None:
        nonlocal best
        if start == len(token):
            if best is None or len(words) < len(best):
                best = list(words)
            return
        if len(words) >= max_words or (best is not None and len(words) + 1 >= len(best)):
            return
        for end in range(len(token), start + 2, -1):
            piece = token[start:end]
            if piece in vocab:
                words.append(piece)
                walk(end, words)
                if end < len(token):  # the next word may begin on this one's last letter
                    walk(end - 1, words)
                words.pop()

    walk(0, [])
    return best if best and len(best) > 1 else [token]


def _name_tokens(name: Any, vocab: frozenset[str] | None) -> tuple[list[str], list[str]]:
    """(name tokens, extra blocking tokens) of an account from its display name and handle.

    Without a vocabulary (no registry yet): the display name's words, completed by the handle's
    when it has fewer than two. With the registry's name words: a display name none of whose
    words is a registry name ("Langit Biru", "Bunda Cantik") is a nickname and the handle's name
    words stand in for it; a one-word display name ("Bu Ratna") is completed by the handle's name
    words only when the handle repeats it (ratna_susanti, not kopi_senja); glued handles are
    split (budikurniawan55 → budi kurniawan).
    """
    disp = list(dict.fromkeys(name.display.tokens))
    hand = list(dict.fromkeys(name.handle.tokens))
    if vocab is None:
        return (disp if len(disp) >= 2 else list(dict.fromkeys([*disp, *hand]))), []
    split = list(dict.fromkeys(w for t in hand for w in split_glued(t, vocab)))
    known = [t for t in split if t in vocab]
    extra = [t for t in split if t not in hand]
    if disp and not any(t in vocab for t in disp):
        return (known or disp), extra
    if len(disp) < 2 and (not disp or set(disp) & set(split)):
        return list(dict.fromkeys([*disp, *known])), extra
    return disp, extra


def account_features(
    row: dict[str, Any], gazetteer: Gazetteer, name_words: frozenset[str] | None = None
) -> dict[str, Any]:
    """The comparison columns of one account (platform, handle, display_name, bio, location).

    ``name_words``: the registry's name words (normalised), to read handles and nicknames.
    """
    name = parse_account_name(row.get("display_name"), row.get("handle"))
    bio = row.get("bio") or ""
    location = row.get("location") or ""
    extra = name.display.extra
    work = extract_work(extra, bio, location)
    bio_titles, _ = titles_in_text(f"{row.get('display_name') or ''} {bio}")
    kabs, provs = gazetteer.find(location, bio, extra)
    genders = {g for g in (name.gender, work.gender) if g}
    # "Bu Ratna" with handle ratna_susanti: one display word says little, the handle completes it.
    tokens, handle_words = _name_tokens(name, name_words)
    h = name.handle
    return {
        "unique_id": account_id(row.get("platform") or "", row.get("handle") or ""),
        "name_key": " ".join(sorted(set(tokens))) or name.handle.key or None,
        "name_norm": " ".join(tokens) or None,
        "name_first": tokens[0] if tokens else None,
        "name_last": tokens[-1] if tokens else None,
        "name_tokens": tokens or None,
        "block_tokens": list(dict.fromkeys([*name.all_tokens, *handle_words])) or None,
        "name_concat": None,
        "handle_concat": h.concat or None,
        "titles": _list([*name.titles, *bio_titles]),
        "gender": genders.pop() if len(genders) == 1 else None,
        "kab": kabs[0] if kabs else None,
        "kabs": kabs or None,
        "provs": provs or None,
        "jobs": _list(work.jobs),
        "agencies": _list(a for a in work.agencies if a not in GENERIC_AGENCIES),
        "kinds": _list(a for a in work.kinds if a not in GENERIC_AGENCIES),
        "units": _list(work.units),
        "places": _list(work.places),
        "offices": _list(work.offices),
        "asn_flag": 1 if work.asn else (-1 if work.non_asn else 0),
    }


def account_id(platform: str, handle: str) -> str:
    """The account's key everywhere in matching: "x:budi_santoso88"."""
    from .names import normalise_handle

    return f"{platform.strip().lower()}:{normalise_handle(handle)}"


FEATURE_COLUMNS: dict[str, str] = {
    "unique_id": "VARCHAR",
    "name_key": "VARCHAR",
    "name_norm": "VARCHAR",
    "name_first": "VARCHAR",
    "name_last": "VARCHAR",
    "name_tokens": "VARCHAR[]",
    "block_tokens": "VARCHAR[]",
    "name_concat": "VARCHAR",
    "handle_concat": "VARCHAR",
    "titles": "VARCHAR[]",
    "gender": "VARCHAR",
    "kab": "VARCHAR",
    "kabs": "VARCHAR[]",
    "provs": "VARCHAR[]",
    "jobs": "VARCHAR[]",
    "agencies": "VARCHAR[]",
    "kinds": "VARCHAR[]",
    "units": "VARCHAR[]",
    "places": "VARCHAR[]",
    "offices": "VARCHAR[]",
    "asn_flag": "INTEGER",
}
