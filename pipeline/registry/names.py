"""Indonesian personal names: titles off, spelling normalised, tokens out; handles too.

A registry name arrives as "Dr. H. Budi Santoso, S.Pd., M.Si." or "BUDI SANTOSO SPD" or
"Soekarno"; an account shows "Bu Ratna | Guru SDN 2" and the handle ``bu.ratna.spd``. Matching needs
what is common to all of them: the name tokens in one spelling ("budi", "santoso"), with the titles
kept apart as evidence (an S.Pd. is a teacher's degree; "Hj." says the person is a woman).

The title lexicon is data (``titles.yaml``), as are forms of address and name variants
(``names.yaml``): the lists grow with every registry we see and must not need a code change.

Tokens are *matching forms*, not display forms: lower case, no accents, the old spelling mapped to
the new (oe→u, dj→j, tj→c, sj→sy, ch→kh), known variants mapped to one form (Mochammad, Moh.,
Muhamad → muhammad) and doubled letters collapsed. Two spellings of one name give the same tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
TITLES_FILE = HERE / "titles.yaml"
NAMES_FILE = HERE / "names.yaml"

# Old (pre-1972 and Dutch-era) spellings still common in names; order matters (tj before j rules).
SPELLING_RULES: tuple[tuple[str, str], ...] = (
    ("oe", "u"),
    ("dj", "j"),
    ("tj", "c"),
    ("sj", "sy"),
    ("ch", "kh"),
)
_OLD_MARKERS = ("oe", "dj", "tj", "sj")
_DOUBLE = re.compile(r"(.)\1+")
_NON_LETTER = re.compile(r"[^a-z]+")
# Keep letters, digits and the punctuation that carries structure in names (dots, commas,
# apostrophes, hyphens); everything else (emoji, symbols) becomes a space.
_JUNK = re.compile(r"[^\w\s.,'\-]", re.UNICODE)
_DISPLAY_SEPARATORS = re.compile(r"\s*(?:[|•·~:/\\()\[\]{}«»]|\s[-–—]\s)\s*")
_HANDLE_SPLIT = re.compile(r"[^A-Za-z]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def title_key(raw: str) -> str:
    """The lookup key of a title: lower case without dots, spaces, hyphens, commas or apostrophes."""
    return re.sub(r"[.\s\-,'’]+", "", raw).lower()


@dataclass(frozen=True, slots=True)
class Title:
    title: str
    key: str
    pos: str
    kind: str = "academic"
    level: str | None = None
    field: str | None = None
    gender: str | None = None
    ambiguous: bool = False
    case: str | None = None
    expands: tuple[str, ...] = ()


class TitleLexicon:
    """Titles by key, read from ``titles.yaml``."""

    def __init__(self, entries: Iterable[Title]) -> None:
        self.front: dict[str, Title] = {}
        self.front_lower: dict[str, Title] = {}  # case-sensitive lower-case forms (dr. = doctor)
        self.back: dict[str, Title] = {}
        self.by_title: dict[str, Title] = {}
        for t in entries:
            table = self.front if t.pos == "front" else self.back
            if t.case == "lower":
                self.front_lower[t.key] = t
            else:
                table.setdefault(t.key, t)
            self.by_title.setdefault(t.title, t)

    @classmethod
    def from_file(cls, path: Path = TITLES_FILE) -> TitleLexicon:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries: list[Title] = []
        for pos in ("front", "back"):
            for item in data.get(pos) or []:
                forms = [item["title"], *(item.get("aliases") or [])]
                for form in forms:
                    entries.append(
                        Title(
                            title=item["title"],
                            key=title_key(form),
                            pos=pos,
                            kind=item.get("kind", "academic"),
                            level=item.get("level"),
                            field=item.get("field"),
                            gender=item.get("gender"),
                            ambiguous=bool(item.get("ambiguous", False)),
                            case=item.get("case") if form == item["title"] else None,
                            expands=tuple(item.get("expands") or ()),
                        )
                    )
        return cls(entries)

    def lookup_front(self, raw: str) -> Title | None:
        key = title_key(raw)
        if not key:
            return None
        stripped = raw.strip().rstrip(".")
        if key in self.front_lower and stripped and stripped == stripped.lower():
            return self.front_lower[key]
        return self.front.get(key)

    def lookup_back(self, raw: str, strict: bool = True) -> Title | None:
        """A back title for ``raw``; with ``strict``, ambiguous keys need a dot or capitals."""
        key = title_key(raw)
        t = self.back.get(key)
        if t is None:
            return None
        if t.ambiguous and strict:
            letters = re.sub(r"[^A-Za-z]", "", raw)
            if "." not in raw and not (letters.isupper() and len(letters) >= 2):
                return None
        return t

    def expand(self, t: Title) -> list[Title]:
        if not t.expands:
            return [t]
        out = []
        for title in t.expands:
            found = self.by_title.get(title)
            out.append(found if found else t)
        return out


@dataclass(frozen=True, slots=True)
class NameLexicon:
    honorifics: dict[str, str | None]
    fillers: frozenset[str]
    variants: dict[str, str]

    @classmethod
    def from_file(cls, path: Path = NAMES_FILE) -> NameLexicon:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        honorifics: dict[str, str | None] = {}
        for gender, words in (data.get("honorifics") or {}).items():
            for w in words:
                honorifics.setdefault(w, gender or None)
        variants: dict[str, str] = {}
        for canonical, forms in (data.get("variants") or {}).items():
            target = _spell(canonical)
            for form in [canonical, *forms]:
                variants[_spell(form)] = target
        return cls(honorifics, frozenset(data.get("fillers") or ()), variants)


@lru_cache(maxsize=1)
def titles() -> TitleLexicon:
    return TitleLexicon.from_file()


@lru_cache(maxsize=1)
def name_lexicon() -> NameLexicon:
    return NameLexicon.from_file()


def fold(text: str) -> str:
    """Lower case without accents ("Ménéz" → "menez"), NFKC-normalised."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _spell(word: str) -> str:
    """Old spelling to new and doubled letters collapsed, on a lower-case letters-only word.

    A word with an unmistakably old digraph (oe, dj, tj, sj) is in the old spelling throughout,
    so its plain "j" is the old "y" too: "Tjahjono" → "cahyono", "Djojo" → "joyo". A word without
    one may be modern ("Joko"), so its "j" stays.
    """
    w = _NON_LETTER.sub("", fold(word))
    if any(m in w for m in _OLD_MARKERS):
        w = w.replace("dj", "\x01").replace("tj", "\x02").replace("j", "y")
        w = w.replace("\x01", "dj").replace("\x02", "tj")
    for old, new in SPELLING_RULES:
        w = w.replace(old, new)
    return _DOUBLE.sub(r"\1", w)


@lru_cache(maxsize=200_000)
def normalise_token(word: str) -> str:
    """The matching form of one name word: "Soekarno" → "sukarno", "Mochammad" → "muhamad"."""
    w = _spell(word)
    return name_lexicon().variants.get(w, w)


def normalise_name(text: str) -> str:
    """The matching form of a bare name (no titles): tokens joined by single spaces."""
    return " ".join(t for t in (normalise_token(p) for p in re.split(r"[\s\-]+", text)) if t)


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A name with its titles parsed off.

    ``name`` is the bare name as written; ``tokens`` its matching forms (initials apart);
    ``titles`` the canonical titles, front ones first; ``gender`` what titles and forms of address
    say ("L"/"P"), None when silent or contradictory.
    """

    raw: str
    name: str = ""
    tokens: tuple[str, ...] = ()
    initials: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    honorifics: tuple[str, ...] = ()
    unknown_titles: tuple[str, ...] = ()
    gender: str | None = None
    extra: str = ""  # text after a separator in a display name ("Ratna | guru SDN 2")

    @property
    def key(self) -> str:
        """Order-free identity of the name: sorted distinct tokens ("santoso budi" = "budi santoso")."""
        return " ".join(sorted(set(self.tokens)))

    @property
    def concat(self) -> str:
        """All tokens glued, as handles write names ("budisantoso")."""
        return _DOUBLE.sub(r"\1", "".join(self.tokens))

    @property
    def first(self) -> str | None:
        return self.tokens[0] if self.tokens else None

    @property
    def last(self) -> str | None:
        return self.tokens[-1] if self.tokens else None


def _pieces(segment: str) -> list[str]:
    """Whitespace tokens split further after internal dots: "Dr.H.Budi" → ["Dr.", "H.", "Budi"]."""
    out: list[str] = []
    for tok in segment.split():
        parts = re.findall(r"[^.]+\.?|\.", tok)
        out.extend(p for p in parts if p.strip(".") or p == ".")
    return [p for p in out if p != "."]


def _gender(votes: Iterable[str | None]) -> str | None:
    found = {v for v in votes if v}
    return found.pop() if len(found) == 1 else None


def _take_back(
    pieces: list[str], lex: TitleLexicon, strict: bool, keep: int
) -> tuple[list[Title], list[str]]:
    """Pop back titles off the end, longest match first, leaving at least ``keep`` pieces."""
    found: list[Title] = []
    while len(pieces) > keep:
        for k in range(min(4, len(pieces) - keep), 0, -1):
            raw = " ".join(pieces[-k:])
            t = lex.lookup_back(raw, strict=strict)
            if t is not None:
                found[:0] = lex.expand(t)
                del pieces[-k:]
                break
        else:
            break
    return found, pieces


def _titles_in_segment(segment: str, lex: TitleLexicon) -> tuple[list[Title], list[str]]:
    """Parse a segment after a comma ("S.Pd., M.Si" or "S. Pd") into titles, longest match first."""
    pieces = _pieces(segment)
    found: list[Title] = []
    unknown: list[str] = []
    i = 0
    while i < len(pieces):
        for k in range(min(4, len(pieces) - i), 0, -1):
            raw = " ".join(pieces[i : i + k])
            t = lex.lookup_back(raw, strict=False) or lex.lookup_front(raw)
            if t is not None:
                found.extend(lex.expand(t))
                i += k
                break
        else:
            unknown.append(pieces[i])
            i += 1
    return found, unknown


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("`", "'")
    return _JUNK.sub(" ", text)


def parse_name(text: str | None, *, address_forms: bool = False, after_comma: str = "titles") -> ParsedName:
    """Split a written name into titles and name tokens.

    ``address_forms`` strips "Bu", "Pak" and fillers too (display names, not registry names).
    ``after_comma`` says what follows a comma: "titles" (registry: everything is a title, unknown
    ones kept as such) or "known" (display names: known titles only, the rest is extra text).
    """
    if not text or not str(text).strip():
        return ParsedName(raw=text or "")
    raw = str(text)
    lex = titles()
    names = name_lexicon()
    segments = [s.strip() for s in _clean(raw).split(",")]
    head, tail = segments[0], [s for s in segments[1:] if s]
    pieces = _pieces(head)
    front: list[Title] = []
    honorifics: list[str] = []
    # Front: titles and forms of address, shortest match first ("Dr. H." is two titles, not drh.).
    while pieces:
        t = lex.lookup_front(pieces[0])
        if t is None and len(pieces) > 1:
            two = lex.lookup_front(" ".join(pieces[:2]))
            if two is not None and len(pieces) > 2:  # two-word forms ("Kyai Haji")
                front.extend(lex.expand(two))
                del pieces[:2]
                continue
        if t is not None and len(pieces) > 1:
            front.extend(lex.expand(t))
            pieces.pop(0)
            continue
        word = fold(pieces[0]).strip(".'")
        if address_forms and len(pieces) > 1 and word in names.honorifics:
            honorifics.append(word)
            pieces.pop(0)
            continue
        break
    back, pieces = _take_back(pieces, lex, strict=True, keep=1)
    unknown: list[str] = []
    extra_parts: list[str] = []
    for seg in tail:
        found, unk = _titles_in_segment(seg, lex)
        if after_comma == "titles" or not unk:
            back.extend(found)
            unknown.extend(unk)
        else:
            extra_parts.append(seg)
    words: list[str] = []
    initials: list[str] = []
    for i, piece in enumerate(pieces):
        for part in re.split(r"[\-\s]+", piece):
            letters = _NON_LETTER.sub("", fold(part))
            if not letters:
                continue
            if address_forms and (letters in names.fillers or letters in names.honorifics):
                if letters in names.honorifics:
                    honorifics.append(letters)
                continue
            if len(letters) == 1:
                # "M. Yusuf": a leading M. is Muhammad far more often than anything else.
                if letters == "m" and i == 0 and len(pieces) > 1:
                    words.append(normalise_token("muhammad"))
                else:
                    initials.append(letters)
                continue
            tok = normalise_token(part)
            if tok:
                words.append(tok)
    name_text = " ".join(p.strip() for p in pieces).strip(" .,")
    all_titles = front + back
    seen: set[str] = set()
    title_names = [t.title for t in all_titles if not (t.title in seen or seen.add(t.title))]
    fields_ = tuple(dict.fromkeys(t.field for t in all_titles if t.field))
    gender = _gender([t.gender for t in all_titles] + [names.honorifics.get(h) for h in honorifics])
    return ParsedName(
        raw=raw,
        name=name_text,
        tokens=tuple(words),
        initials=tuple(initials),
        titles=tuple(title_names),
        fields=fields_,
        honorifics=tuple(honorifics),
        unknown_titles=tuple(unknown),
        gender=gender,
        extra=", ".join(extra_parts),
    )


def parse_registry_name(
    nama: str | None, gelar_depan: str | None = None, gelar_belakang: str | None = None
) -> ParsedName:
    """A registry name with its title columns; titles may sit in the name, the columns, or both.

    Registry exports mostly keep titles in their own columns and the name bare, so a bare name
    takes a fast path (a 4.7-million-row registry is parsed in minutes, not tens of minutes); the
    result is the same as parsing "front name, back" as one string.
    """
    front = (gelar_depan or "").strip()
    back = (gelar_belakang or "").strip()
    name = (nama or "").strip()
    bare = _bare_name(name)
    if bare is None:
        text = " ".join(p for p in (front, name) if p)
        return parse_name(f"{text}, {back}" if back else text)
    tokens, initials = bare
    front_p, back_p = _title_columns(front, back)
    title_names = tuple(dict.fromkeys(front_p.titles + back_p.titles))
    return ParsedName(
        raw=name, name=name, tokens=tokens, initials=initials, titles=title_names,
        fields=tuple(dict.fromkeys(front_p.fields + back_p.fields)),
        unknown_titles=front_p.unknown_titles + back_p.unknown_titles,
        gender=_gender([front_p.gender, back_p.gender]) if (front_p.gender or back_p.gender) else None,
    )  # fmt: skip


_PLAIN_WORDS = re.compile(r"^[A-Za-z' ]+$")


def _bare_name(name: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Tokens of a name without titles, punctuation or initials; None when it needs full parsing."""
    if not name or not _PLAIN_WORDS.match(name):
        return None
    words = name.split()
    lex = titles()
    first, last = words[0].lower().replace("'", ""), words[-1]
    if first in lex.front or first in lex.front_lower:
        return None
    if len(words) > 1 and lex.lookup_back(last) is not None:
        return None
    if any(len(w) == 1 for w in words):
        return None
    return tuple(t for t in (normalise_token(w) for w in words) if t), ()


@lru_cache(maxsize=20_000)
def _title_columns(front: str, back: str) -> tuple[ParsedName, ParsedName]:
    """gelar_depan and gelar_belakang parsed as titles (their values repeat: cached)."""
    empty = ParsedName(raw="")
    front_p = _titles_only(front, "front") if front else empty
    back_p = _titles_only(back, "back") if back else empty
    return front_p, back_p


def _titles_only(text: str, pos: str) -> ParsedName:
    parsed = parse_name(f"{text} X" if pos == "front" else f"X, {text}")
    return ParsedName(
        raw=text, titles=parsed.titles, fields=parsed.fields, unknown_titles=parsed.unknown_titles,
        gender=parsed.gender,
    )  # fmt: skip


def parse_display_name(text: str | None) -> ParsedName:
    """A display name: forms of address off, text after "|" or " - " kept apart as ``extra``."""
    if not text:
        return ParsedName(raw=text or "")
    parts = [_clean(p) for p in _DISPLAY_SEPARATORS.split(text) if p and p.strip()]
    parts = [p for p in parts if p.strip()]
    if not parts:
        return ParsedName(raw=text)
    head, rest = parts[0], parts[1:]
    parsed = parse_name(head, address_forms=True, after_comma="known")
    extra = ", ".join(p.strip() for p in [parsed.extra, *rest] if p and p.strip())
    return ParsedName(
        raw=text, name=parsed.name, tokens=parsed.tokens, initials=parsed.initials, titles=parsed.titles,
        fields=parsed.fields, honorifics=parsed.honorifics, unknown_titles=parsed.unknown_titles,
        gender=parsed.gender, extra=extra,
    )  # fmt: skip


def handle_pieces(handle: str) -> list[str]:
    """``budi_santoso88`` → ["budi", "santoso"]; ``BuRatnaSPd`` → ["bu", "ratna", "spd"]."""
    h = handle.strip().lstrip("@")
    h = h.split("@", 1)[0]  # mastodon: user@instance
    out: list[str] = []
    for chunk in _HANDLE_SPLIT.split(h):
        if not chunk:
            continue
        # camelCase splits only when the handle mixes case; "SPd" stays together.
        parts = _CAMEL.split(chunk) if not chunk.isupper() and not chunk.islower() else [chunk]
        out.extend(p.lower() for p in parts if p)
    return out


def parse_handle(handle: str | None) -> ParsedName:
    """Name tokens, titles and forms of address carried by a handle.

    Handles have no dots or capitals to tell a title from a name, so only unambiguous title keys of
    two letters or more are taken ("spd", "hj", "amdkeb"; not "se" or "st").
    """
    if not handle:
        return ParsedName(raw=handle or "")
    lex = titles()
    names = name_lexicon()
    pieces = handle_pieces(handle)
    words: list[str] = []
    found: list[Title] = []
    honorifics: list[str] = []
    for i, piece in enumerate(pieces):
        t = lex.back.get(piece) or lex.front_lower.get(piece) or lex.front.get(piece)
        if t is not None and not t.ambiguous and len(piece) >= 2 and (len(pieces) > 1):
            found.extend(lex.expand(t))
            continue
        if piece in names.honorifics and len(pieces) > 1:
            honorifics.append(piece)
            continue
        if piece in names.fillers or len(piece) == 1:
            if piece == "m" and i == 0 and len(pieces) > 1:
                words.append(normalise_token("muhammad"))
            continue
        tok = normalise_token(piece)
        if tok:
            words.append(tok)
    seen: set[str] = set()
    title_names = tuple(t.title for t in found if not (t.title in seen or seen.add(t.title)))
    gender = _gender([t.gender for t in found] + [names.honorifics.get(h) for h in honorifics])
    return ParsedName(
        raw=handle, name=" ".join(pieces), tokens=tuple(words), titles=title_names,
        fields=tuple(dict.fromkeys(t.field for t in found if t.field)), honorifics=tuple(honorifics),
        gender=gender,
    )  # fmt: skip


def normalise_handle(handle: str | None) -> str:
    """The stored form of a handle: no leading @, no URL, lower case ("@Budi_88" → "budi_88")."""
    if not handle:
        return ""
    h = handle.strip()
    h = re.sub(r"^https?://(www\.)?[^/]+/", "", h)  # https://x.com/budi → budi
    h = h.strip("/").lstrip("@")
    return h.lower()


@dataclass(frozen=True, slots=True)
class AccountName:
    """What an account's display name and handle say about its owner's name."""

    display: ParsedName = field(default_factory=lambda: ParsedName(raw=""))
    handle: ParsedName = field(default_factory=lambda: ParsedName(raw=""))

    @property
    def tokens(self) -> tuple[str, ...]:
        """Display-name tokens when there are any, else the handle's."""
        return self.display.tokens or self.handle.tokens

    @property
    def all_tokens(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.display.tokens + self.handle.tokens))

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.display.titles + self.handle.titles))

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.display.fields + self.handle.fields))

    @property
    def gender(self) -> str | None:
        return _gender([self.display.gender, self.handle.gender])


def parse_account_name(display_name: str | None, handle: str | None) -> AccountName:
    return AccountName(parse_display_name(display_name), parse_handle(handle))
