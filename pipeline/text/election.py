"""Elections (contests and candidates from ``configs/elections/*.yaml``) and candidate mention finding.

The classifier's ``target`` comes from here: :class:`CandidateMatcher` finds names, nicknames, pair
acronyms, parties, campaign hashtags and ballot numbers in context ("no 2", "nomor 02", "paslon 01",
"salam dua jari", "#02Lanjutkan") with spaCy's PhraseMatcher and Matcher, on the same Indonesian
tokenizer the normaliser uses. It can also mask the mentions so a model learns the stance of a post
rather than which names were popular in its training data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import Field, field_validator

from pipeline.config import ConfigError, Section, parse_section, read_yaml

from .normalise import _clean, spacy_id, split_hashtag

NUMBER_WORDS = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "siji": 1,
    "loro": 2,
    "telu": 3,
    "papat": 4,
}
NUMBER_CUES = [
    "no",
    "nomor",
    "nomer",
    "nmr",
    "nomr",
    "paslon",
    "pasangan",
    "urut",
    "coblos",
    "nyoblos",
    "pilih",
    "calon",
    "cabup",
    "cawabup",
    "cagub",
    "cawagub",
    "cawalkot",
    "cawali",
    "capres",
    "cawapres",
    "kandidat",
]
# Words that occur in invented names but are everyday Indonesian; never matched on their own.
COMMON_WORDS = frozenset(
    [
        "putri",
        "putra",
        "indah",
        "sari",
        "budi",
        "baru",
        "jaya",
        "bersatu",
        "rakyat",
        "raya",
        "dewi",
        "bunga",
        "cahaya",
        "bintang",
        "mulia",
        "harapan",
        "sentosa",
        "damai",
        "abadi",
        "utama",
        "muda",
        "agung",
        "besar",
        "kecil",
    ]
)
NAME_MASK = "[CALON]"
NUMBER_MASK = "[NOMOR]"
_GLUED = re.compile(r"^(no|nomor|nomer|nmr|paslon)\.?(0?\d{1,2})$", re.IGNORECASE)
_HASHTAG_NUMBER = re.compile(r"^#(0\d)", re.IGNORECASE)
_PADDED = re.compile(r"^0[1-9]$")


class Candidate(Section):
    """One ballot entry: a candidate or a pair (paslon), with everything a post may call it by."""

    number: str
    names: list[str] = Field(min_length=1)
    nicknames: list[str] = Field(default_factory=list)
    acronym: str | None = None
    parties: list[str] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    incumbent: bool = False
    # Legislative (DPRD) candidates: the party's ballot number and the place on the party list.
    party_number: str | None = None
    nomor_urut: int | None = None
    notes: str | None = None

    @field_validator("number", "party_number", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        # YAML reads an unquoted 02 as the integer 2; ballot numbers are two-digit strings ("5" → "05").
        if isinstance(value, int):
            return f"{value:02d}"
        if isinstance(value, str) and value.strip().isdigit():
            return f"{int(value):02d}"
        return value

    @field_validator("acronym", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return value or None

    @property
    def label(self) -> str:
        return f"{self.names[0]} / {self.number}"


class Party(Section):
    number: str | None = None
    name: str
    short: str | None = None


class Contest(Section):
    id: str | None = None
    office: str
    region: str | None = None
    province: str | None = None
    voting_day: date | None = None
    note: str | None = None
    notes: str | None = None
    candidates: list[Candidate] = Field(min_length=1)


class Election(Section):
    id: str | None = None
    name: str = ""
    voting_day: date | None = None
    campaign_start: date | None = None
    campaign_end: date | None = None
    writer: str | None = None  # annotated corpus: who invented these contests
    parties: list[Party] = Field(default_factory=list)
    notes: str | None = None
    contests: list[Contest] = Field(min_length=1)

    @property
    def candidates(self) -> list[Candidate]:
        return [c for contest in self.contests for c in contest.candidates]


def load_election(path: str | Path) -> Election:
    """Read one election file; a bad file raises ConfigError naming the file and the key."""
    path = Path(path)
    return parse_section(Election, read_yaml(path), str(path))


def load_elections(paths: Iterable[str | Path]) -> list[Election]:
    return [load_election(p) for p in paths]


def election_files(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(str(folder), "", "no such folder of election files")
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))


def _ballot_number(text: str) -> int | None:
    low = text.lower().strip(".")
    if low.isdigit():
        n = int(low)
        return n if 0 < n < 100 else None
    return NUMBER_WORDS.get(low)


@dataclass
class Mention:
    start: int  # character offsets in the text that was matched
    end: int
    text: str
    kind: str  # name | name_part | nickname | acronym | party | hashtag | number
    candidates: tuple[int, ...] = ()  # indexes into CandidateMatcher.candidates
    number: str | None = None


@dataclass
class MatchResult:
    mentions: list[Mention] = field(default_factory=list)
    target: str | None = None
    masked: str | None = None


class CandidateMatcher:
    """Finds candidate mentions; ``target`` names the candidate a post is most about.

    Built from one or more elections: the configured one for the nightly scan, the annotated
    corpus's own files for training and evaluation. Matching is case-insensitive on spaCy tokens;
    hashtags are matched both whole (``#LanjutkanHendra`` as a campaign tag) and split into words.
    """

    def __init__(self, elections: Sequence[Election]) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.nlp = spacy_id()
        self.candidates: list[Candidate] = [c for e in elections for c in e.candidates]
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        # All-caps acronyms and party abbreviations match case-sensitively: "TERUS" is a pair's
        # acronym, "terus" is the everyday word "continue".
        self._caps = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self._keys: dict[str, tuple[str, tuple[int, ...]]] = {}
        surface: dict[tuple[str, str], set[int]] = {}
        for i, cand in enumerate(self.candidates):
            forms: list[tuple[str, str]] = []
            for name in cand.names:
                forms.append(("name", name))
                # Single words of a person's name ("Hendra" of "Hendra Wijaya"), except short or
                # everyday words; a party's name ("Partai Rakyat Berdaulat") is only matched whole.
                words = name.split()
                if len(words) > 1 and words[0].lower() != "partai":
                    forms.extend(
                        ("name_part", w) for w in words if len(w) >= 4 and w.lower() not in COMMON_WORDS
                    )
            forms += [("nickname", n) for n in cand.nicknames]
            if cand.acronym:
                forms.append(("acronym", cand.acronym))
            forms += [("party", p) for p in cand.parties]
            for tag in cand.hashtags:
                forms.append(("hashtag", "#" + tag.lstrip("#")))
                forms.append(("hashtag", split_hashtag(tag)))
            for kind, form in forms:
                exact = form.isupper() and " " not in form and len(form) <= 8
                surface.setdefault((kind, form if exact else form.lower()), set()).add(i)
        for (kind, form), owners in surface.items():
            key = f"{kind}:{form}"
            self._keys[key] = (kind, tuple(sorted(owners)))
            matcher = self._caps if form.isupper() else self._phrases
            matcher.add(key, [self.nlp.make_doc(form)])
        self._numbers = Matcher(self.nlp.vocab)
        number_token = {"LOWER": {"REGEX": r"^(0?\d{1,2}|" + "|".join(NUMBER_WORDS) + r")$"}}
        self._numbers.add(
            "cue",
            [
                [
                    {"LOWER": {"IN": NUMBER_CUES}},
                    {"ORTH": ".", "OP": "?"},
                    {"LOWER": "urut", "OP": "?"},
                    number_token,
                ]
            ],
        )
        self._numbers.add("gesture", [[{"LOWER": "salam"}, number_token, {"LOWER": "jari"}]])
        self._numbers.add("glued", [[{"TEXT": {"REGEX": _GLUED.pattern}}]])
        self._numbers.add("hashtag", [[{"TEXT": {"REGEX": r"^#0\d"}}]])
        self._numbers.add("padded", [[{"TEXT": {"REGEX": _PADDED.pattern}}]])

    def _by_number(self, number: str) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.candidates) if c.number == number)

    def find(self, text: str) -> list[Mention]:
        """Every mention, longest first where they overlap, in text order."""
        doc = self.nlp.make_doc(_clean(text))
        found: list[Mention] = []
        for match_id, start, end in [*self._phrases(doc), *self._caps(doc)]:
            kind, owners = self._keys[self.nlp.vocab.strings[match_id]]
            span = doc[start:end]
            found.append(Mention(span.start_char, span.end_char, span.text, kind, owners))
        for match_id, start, end in self._numbers(doc):
            rule = self.nlp.vocab.strings[match_id]
            span = doc[start:end]
            if rule == "gesture":
                n = _ballot_number(span[1].text)
            elif rule == "cue":
                n = _ballot_number(span[-1].text)
            elif rule == "glued":
                m = _GLUED.match(span.text)
                n = int(m.group(2)) if m else None
            elif rule == "hashtag":
                m = _HASHTAG_NUMBER.match(span.text)
                n = int(m.group(1)) if m else None
            else:
                n = int(span.text)
            if not n:
                continue
            number = f"{n:02d}"
            found.append(
                Mention(span.start_char, span.end_char, span.text, "number", self._by_number(number), number)
            )
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        for m in found:
            if kept and m.start < kept[-1].end:
                if m.kind == "number" and kept[-1].kind == "hashtag" and not kept[-1].number:
                    kept[-1].number = m.number  # "#02Lanjutkan": a campaign tag with its number
                continue
            kept.append(m)
        return kept

    def target(self, mentions: Sequence[Mention]) -> str | None:
        """The candidate mentioned most (ties: first mentioned), as the post names it.

        Names and numbers count together when they point to the same ballot entry; a bare number
        with no known candidate ("coblos 02" for an election not in the config) is the target itself.
        """
        if not mentions:
            return None
        votes: Counter[int] = Counter()
        first: dict[int, int] = {}
        named = [m for m in mentions if m.kind != "number"]
        for pos, m in enumerate(named):
            for c in m.candidates:
                votes[c] += 1
                first.setdefault(c, pos)
        numbers = [m.number for m in mentions if m.kind == "number" and m.number]
        if votes:
            # A number mentioned alongside names breaks ties between same-named candidates.
            best = max(votes, key=lambda c: (votes[c], self.candidates[c].number in numbers, -first[c]))
            priority = {"nickname": 0, "name": 0, "name_part": 0, "acronym": 1, "party": 2, "hashtag": 3}
            forms = [m.text for m in sorted(named, key=lambda m: priority[m.kind]) if best in m.candidates]
            return f"{forms[0].lstrip('#')} / {self.candidates[best].number}"
        return Counter(numbers).most_common(1)[0][0] if numbers else None

    def mask(self, text: str, mentions: Sequence[Mention], numbers: bool = False) -> str:
        """Replace names (and optionally ballot numbers) with placeholders, keeping cue words."""
        text = _clean(text)
        out, pos = [], 0
        for m in mentions:
            if m.kind == "number":
                if not numbers:
                    continue
                span = text[m.start : m.end]
                digits = re.search(r"0?\d{1,2}$|" + "|".join(NUMBER_WORDS), span, re.IGNORECASE)
                if digits:
                    out.append(text[pos : m.start + digits.start()] + NUMBER_MASK)
                    pos = m.start + digits.end()
                continue
            out.append(text[pos : m.start] + NAME_MASK)
            pos = m.end
        out.append(text[pos:])
        return "".join(out)

    def __call__(self, text: str, mask: str | None = None) -> MatchResult:
        """Mentions and target of one text; ``mask`` = "names" or "all" also returns masked text."""
        mentions = self.find(text)
        masked = self.mask(text, mentions, numbers=mask == "all") if mask else None
        return MatchResult(mentions, self.target(mentions), masked)
