"""Compose template-based training posts for the stance classifier (writer b).

Why: 1,400 handwritten posts are too few for the classifier to see every candidate name,
ballot number, slogan and register. This script multiplies them cheaply: it fills hand-written
fragments (``templates.yaml``) with the fictional training candidates of writers ``a`` and ``b``
(``elections/a.yaml``, ``elections/b.yaml``) and composes them so that the label stays right by
construction (support fragments only praise the slotted candidate, oppose fragments only attack
it, neutral fragments take no side, unrelated fragments are not about an election).

The test split's contests (``elections/t.yaml``, names R-Z) are never read, so the test
candidates stay unseen. Output is deterministic for a given seed.

Usage::

    python data/annotated/generate_templates.py            # writes raw/train_template_001.jsonl
    python data/annotated/generate_templates.py --check    # validates writer b's files, prints counts
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ELECTION_FILES = ("a.yaml", "b.yaml")  # never t.yaml: the test split's candidates must stay unseen
ALLOWED_INITIALS = set("ABCDEFGHIJKLMNOPQ")
STANCES = ("support", "oppose", "neutral", "unrelated")
REGISTERS = {
    "formal", "casual", "slang", "alay", "jawa", "sunda", "minang", "palembang", "betawi",
    "batak", "emoji", "news", "reply", "caption",
}
FIELDS = {"id", "text", "stance", "target", "register", "kind", "election", "tags"}
DEFAULT_COUNTS = {"support": 600, "oppose": 400, "neutral": 500, "unrelated": 500}
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember"]
NUM_WORDS = {
    "nw": ["nol", "satu", "dua", "tiga"],
    "nj": ["nol", "siji", "loro", "telu"],
    "ns": ["nol", "hiji", "dua", "tilu"],
    "nm": ["nol", "ciek", "duo", "tigo"],
}
FINGERS = {1: "☝️", 2: "✌️", 3: "🤟"}
OFFICE_SHORT = {"bupati": "cabup", "wali kota": "cawalkot", "gubernur": "cagub", "presiden": "capres"}
FORMAL_STARTS = ("Dinas", "Pelatihan", "Jadwal", "Puskesmas", "Rapat", "Seleksi", "Calon karyawan")
HONORIFICS = {"I", "Ni", "Ida", "Bagus", "Luh", "Lalu", "Moch.", "H.", "Hj."}
SLOT = re.compile(r"\{(\w+)\}")
CANDIDATE_SLOTS = {"nick", "name", "pair", "acr", "num", "n", "nw", "nj", "ns", "nm", "hashtag",
                   "party", "party_short", "gesture", "finger", "party_num", "list_pos"}
CONTEST_SLOTS = CANDIDATE_SLOTS | {"office", "office_short", "office_cap", "place", "region",
                                   "date", "cand_list", "o_nick", "o_acr", "o_num"}


@dataclass
class Candidate:
    """One contestant, normalised across writers' slightly different legislative shapes."""

    contest: dict
    raw: dict
    kind: str  # "executive", "caleg" or "party"
    party_names: dict = field(default_factory=dict)

    @property
    def number(self) -> str:
        return str(self.raw["number"])

    @property
    def is_incumbent(self) -> bool:
        return bool(self.raw.get("incumbent"))

    def party_num(self) -> str:
        if self.kind == "party":
            return self.number
        if "party_number" in self.raw:  # writer a: number is the list position
            return str(self.raw["party_number"])
        return self.number  # writer b: number is the party's ballot number

    def list_pos(self) -> str:
        if "party_number" in self.raw:
            return self.number
        return str(self.raw.get("nomor_urut", 1))

    def party_pair(self) -> tuple[str, str]:
        """(long name, short name) of the candidate's (first) party."""
        if self.kind == "party":
            return self.raw["names"][0], self.raw.get("acronym") or self.raw["names"][0]
        parties = self.raw.get("parties") or []
        longs = [p for p in parties if p.startswith("Partai")]
        shorts = [p for p in parties if not p.startswith("Partai")]
        long = longs[0] if longs else self.party_names.get(shorts[0], shorts[0]) if shorts else ""
        short = shorts[0] if shorts else long
        return long, short


def _place(contest: dict) -> str:
    region = contest.get("region", "")
    if "Presiden" in contest.get("office", ""):
        return "Indonesia"
    region = region.split(",")[0]
    for prefix in ("Kabupaten ", "Kota ", "Provinsi "):
        if region.startswith(prefix):
            return region[len(prefix):]
    return region


def _office(contest: dict) -> str:
    office = contest.get("office", "").lower()
    if "presiden" in office:
        return "presiden"
    if "walikota" in office or "wali kota" in office:
        return "wali kota"
    if "gubernur" in office:
        return "gubernur"
    if "bupati" in office:
        return "bupati"
    return "anggota dewan"


def _date(contest: dict) -> str:
    day = str(contest.get("voting_day", ""))
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", day)
    if not match:
        return "hari H"
    return f"{int(match.group(3))} {MONTHS[int(match.group(2)) - 1]}"


def load_candidates(election_dir: Path) -> list[Candidate]:
    """Read writers a and b's contests; keep only candidates whose first names start with A-Q."""
    out: list[Candidate] = []
    for fname in ELECTION_FILES:
        data = yaml.safe_load((election_dir / fname).read_text(encoding="utf-8"))
        party_names = {p["short"]: p["name"] for p in data.get("parties") or []}
        for contest in data["contests"]:
            if str(contest.get("id", "")).startswith("t-"):
                continue
            office = contest.get("office", "")
            for cand in contest["candidates"]:
                first = cand["names"][0]
                if first[:1].upper() not in ALLOWED_INITIALS:
                    continue
                if first.startswith("Partai"):
                    kind = "party"
                elif office.upper().startswith("DPR"):
                    kind = "caleg"
                else:
                    kind = "executive"
                out.append(Candidate(contest, cand, kind, party_names))
    return out


def fill(template: str, slots: dict) -> str:
    """Replace {slot}s; an unknown slot is a bug in templates.yaml, so it raises."""
    def sub(match: re.Match) -> str:
        key = match.group(1)
        if key not in slots:
            raise KeyError(f"template slot {{{key}}} has no value in: {template!r}")
        return str(slots[key])
    return SLOT.sub(sub, template)


def used_slots(*templates: str) -> set[str]:
    return {m for t in templates for m in SLOT.findall(t)}


def cap_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


class Generator:
    """Seeded composer of template posts; one instance produces one deterministic corpus."""

    def __init__(self, templates: dict, candidates: list[Candidate], seed: int = 20260927):
        self.t = templates
        self.cands = candidates
        self.rng = random.Random(seed)
        self.by_contest: dict[str, list[Candidate]] = collections.defaultdict(list)
        for c in candidates:
            self.by_contest[c.contest["id"]].append(c)
        self.contest_ids = sorted(self.by_contest)

    # -- slot values ---------------------------------------------------------------------------
    def pick(self, seq):
        return self.rng.choice(list(seq))

    def misc_slots(self) -> dict:
        v = self.t["values"]
        return {
            "asn_role": self.pick(v["asn_role"]), "platform": self.pick(v["platform"]),
            "office_unit": self.pick(v["office_unit"]), "food": self.pick(v["food"]),
            "thing": self.pick(v["thing"]), "person": self.pick(v["person"]),
            "k": self.rng.randint(3, 480), "pct": f"{self.rng.randint(58, 82)},{self.rng.randint(0, 9)}",
            "pro": self.pick(v["pro"]), "o_pro": self.pick(v["pro"]),
        }

    def candidate_slots(self, cand: Candidate) -> dict:
        raw, contest = cand.raw, cand.contest
        names = raw["names"]
        nick = self.pick(raw.get("nicknames") or names[:1])
        n = int(re.sub(r"\D", "", cand.number) or 0)
        office = _office(contest)
        place = _place(contest)
        party, party_short = cand.party_pair()
        slots = {
            "nick": nick, "name": names[0], "pair": "–".join(names[:2]),
            "acr": raw.get("acronym") or nick, "num": cand.number, "n": str(n),
            "hashtag": "#" + self.pick(raw.get("hashtags") or [nick.replace(" ", "")]),
            "party": party, "party_short": party_short, "party_num": cand.party_num(),
            "list_pos": cand.list_pos(), "office": office, "office_cap": office.title(),
            "office_short": OFFICE_SHORT.get(office, "caleg"), "place": place,
            "region": "RI" if office == "presiden" else contest.get("region", place).split(",")[0],
            "date": _date(contest), "finger": FINGERS.get(n, f"{n}️⃣"),
            "gesture": f"{NUM_WORDS['nw'][n]} jari" if 0 < n <= 3 else f"nomor {n}",
        }
        for key, words in NUM_WORDS.items():
            slots[key] = words[n] if 0 < n < len(words) else str(n)
        rivals = [c for c in self.by_contest[contest["id"]] if c is not cand]
        rival = self.pick(rivals) if rivals else cand
        slots["o_nick"] = self.pick(rival.raw.get("nicknames") or rival.raw["names"][:1])
        slots["o_acr"] = rival.raw.get("acronym") or slots["o_nick"]
        slots["o_num"] = rival.number
        slots["cand_list"] = ", ".join(
            f"nomor urut {c.number} {'–'.join(c.raw['names'][:2])}"
            for c in sorted(self.by_contest[contest["id"]], key=lambda c: c.number))
        slots["group"] = fill(self.pick(self.t["support"]["groups"]), {"place": place})
        tokens = names[0].split()
        while len(tokens) > 1 and tokens[0] in HONORIFICS:
            tokens = tokens[1:]
        slots["first"] = tokens[0]
        slots.update(self.misc_slots())
        return slots

    def target_for(self, cand: Candidate, templates: list[str], slots: dict) -> str:
        """The target as the post names it: nickname/acronym/name plus the ballot number."""
        used = used_slots(*templates)
        if cand.kind == "party":
            return f"{slots['party']} / {slots['party_short']} {slots['party_num']}"
        if cand.kind == "caleg":
            return f"{slots['nick']} / {slots['party_short']} {slots['party_num']}"
        parts = []
        if "nick" in used:
            parts.append(slots["nick"])
        if "acr" in used and slots["acr"] not in parts:
            parts.append(slots["acr"])
        if not parts and ("name" in used or "pair" in used):
            parts.append(slots["pair"] if "pair" in used else slots["name"])
        parts.append(cand.number)
        return " / ".join(parts)

    # -- register transforms -------------------------------------------------------------------
    def slang(self, text: str) -> str:
        tr = self.t["transforms"]
        mapping = tr["slang"]
        words = [mapping.get(w, w) if w.islower() else w for w in text.split(" ")]
        text = " ".join(words)
        if self.rng.random() < 0.5:
            text = self.pick(tr["slang_prefix"]) + " " + text[:1].lower() + text[1:]
        if self.rng.random() < 0.5 and (text[-1:].isalnum() or text[-1:] in ".!"):
            text = text.rstrip(".!") + " " + self.pick(tr["slang_suffix"])
        return text

    def alay(self, text: str) -> str:
        table = self.t["transforms"]["alay"]
        out = []
        for i, ch in enumerate(text):
            low = ch.lower()
            if low in table and self.rng.random() < 0.7:
                out.append(table[low])
            elif ch.isalpha():
                out.append(ch.upper() if i % 2 else ch.lower())
            else:
                out.append(ch)
        return "".join(out)

    def typo(self, text: str, protected: set[str]) -> str:
        words = text.split(" ")
        idx = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha() and w.islower()
               and w not in protected]
        for i in self.rng.sample(idx, min(len(idx), self.rng.randint(1, 2))):
            w = words[i]
            if self.rng.random() < 0.5:
                j = self.rng.randrange(1, len(w) - 2)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
            else:
                vowels = [j for j, ch in enumerate(w[1:-1], 1) if ch in "aeiou"]
                if vowels:
                    j = self.rng.choice(vowels)
                    words[i] = w[:j] + w[j + 1:]
        return " ".join(words)

    def add_emoji(self, text: str, stance: str, lo: int = 1, hi: int = 3) -> str:
        pool = self.t["transforms"]["emoji"][stance]
        return text + " " + "".join(self.pick(pool) for _ in range(self.rng.randint(lo, hi)))

    def casualise(self, text: str, stance: str, tags: list[str], slots: dict | None) -> tuple[str, str]:
        """Maybe turn a casual post into slang/alay, add typos or emoji; returns (text, register)."""
        protected = {str(v) for v in (slots or {}).values()}
        r = self.rng.random()
        register = "casual"
        if r < 0.22:
            text, register = self.slang(text), "slang"
        elif r < 0.28:
            text, register = self.alay(text), "alay"
        if register != "alay" and self.rng.random() < 0.12:
            text = self.typo(text, protected)
            tags.append("typo")
        if self.rng.random() < 0.3:
            text = self.add_emoji(text, stance)
        return text, register

    # -- composers per label -------------------------------------------------------------------
    def executive(self) -> Candidate:
        pool = [c for c in self.cands if c.kind == "executive"]
        contest = self.pick(sorted({c.contest["id"] for c in pool}))
        return self.pick([c for c in pool if c.contest["id"] == contest])

    def legislative(self) -> Candidate:
        return self.pick([c for c in self.cands if c.kind != "executive"])

    def partisan(self, stance: str) -> dict:
        s = self.t[stance]
        if self.rng.random() < 0.09:
            cand = self.legislative()
            slots = self.candidate_slots(cand)
            tpl = self.pick(s["party"] if cand.kind == "party" else s["legislative"])
            leg_tags: list[str] = []
            text, reg = self.casualise(fill(tpl, slots), stance, leg_tags, slots)
            return self.record(text, stance, self.target_for(cand, [tpl], slots), reg, cand, leg_tags)
        cand = self.executive()
        slots = self.candidate_slots(cand)
        mode = self.rng.choices(
            ["compose", "formal", "regional", "reply", "emoji", "special", "long"],
            [34, 11, 14, 11, 7, 19, 4])[0]
        tags: list[str] = []
        if mode == "compose":
            parts = []
            if self.rng.random() < 0.6:
                parts.append(self.pick(self.t["openers"][stance]))
            claims = s["claims"] + (s["incumbent_claims"] * 2 if cand.is_incumbent else [])
            parts.append(self.pick(claims))
            if self.rng.random() < 0.35:
                parts.append(self.pick(s["claims"]))
            parts.append(self.pick(s["calls"]))
            if stance == "support" and self.rng.random() < 0.5:
                parts.append(self.pick(s["closers"]))
            if stance == "support" and self.rng.random() < 0.4:
                parts.append("{hashtag}")
            tpls = parts
            text = " ".join(
                cap_first(fill(p, slots)) if i == 0 or parts[i - 1][-1:] in ".!?:" else fill(p, slots)
                for i, p in enumerate(parts))
            text, register = self.casualise(text, stance, tags, slots)
        elif mode == "formal":
            tpls = [self.pick(s["formal"])]
            text, register = fill(tpls[0], slots), "formal"
        elif mode == "regional":
            lang = self.pick(sorted(s["regional"]))
            tpls = [self.pick(s["regional"][lang])]
            text, register = fill(tpls[0], slots), lang
            tags.append("codemix")
            if self.rng.random() < 0.3:
                text = self.add_emoji(text, stance, 1, 2)
        elif mode == "reply":
            tpls = [self.pick(s["reply"])]
            text, register = fill(tpls[0], slots), "reply"
        elif mode == "emoji":
            tpls = [self.pick(s["emoji_posts"])]
            text, register = fill(tpls[0], slots), "emoji"
        elif mode == "special" and stance == "support":
            kind = self.rng.choice(["captions", "captions", "invites", "attack_other"])
            tpls = [self.pick(s[kind])]
            text = fill(tpls[0], slots)
            register = "caption" if kind == "captions" else "casual"
            if kind == "attack_other":
                tags.append("attack_other")
            if kind == "captions" and ("{finger}" in tpls[0] or "{gesture}" in tpls[0]):
                tags.append("gesture")
        elif mode == "special":
            tpls = [self.pick(s["sarcasm"])]
            text, register = fill(tpls[0], slots), "casual"
            tags.append("sarcasm")
            if self.rng.random() < 0.2:
                text, register = self.slang(text), "slang"
        else:  # long
            if stance == "support":
                tpls = [self.pick(s["partisan_news_intro"]),
                        *self.rng.sample(s["partisan_news_body"], self.rng.randint(3, 5)),
                        self.pick(s["partisan_news_close"])]
                register = "news"
                tags.append("partisan_news")
            else:
                tpls = [self.pick(s["formal"]),
                        *self.rng.sample(s["opinion_body"], self.rng.randint(3, 5)),
                        self.pick(s["opinion_close"])]
                register = "formal"
            text = " ".join(fill(p, slots) for p in tpls)
        return self.record(text, stance, self.target_for(cand, tpls, slots), register, cand, tags)

    def neutral(self) -> dict:
        s = self.t["neutral"]
        cand = self.executive()
        slots = self.candidate_slots(cand)
        mode = self.rng.choices(
            ["news", "long", "notices", "pledges", "reports", "balanced", "calls", "questions",
             "reply", "regional", "emoji"], [14, 7, 13, 14, 15, 8, 7, 7, 5, 5, 5])[0]
        tags: list[str] = []
        if mode == "long":
            tpls = [self.pick(s["news"]), *self.rng.sample(s["news_body"], self.rng.randint(5, 8))]
            register = "news"
        elif mode == "regional":
            lang = self.pick(sorted(s["regional"]))
            tpls, register = [self.pick(s["regional"][lang])], lang
            tags.append("codemix")
        elif mode == "emoji":
            tpls, register = [self.pick(s["emoji_posts"])], "emoji"
        else:
            tpls = [self.pick(s[mode])]
            if mode == "news" and self.rng.random() < 0.6:
                tpls += self.rng.sample(s["news_body"], self.rng.randint(1, 2))
            register = {"news": "news", "notices": "formal", "reply": "reply"}.get(mode, "casual")
            if mode in ("pledges", "reports"):
                tags.append("pledge" if mode == "pledges" else "report")
                first = tpls[0]
                formalish = first.startswith(("Kami", "Apel", "Bawaslu", "Seorang", "Kepala", "Video"))
                register = ("news" if mode == "reports" else "formal") if formalish else "casual"
            if mode == "notices" and self.rng.random() < 0.4:
                tpls.insert(0, self.pick(self.t["openers"]["neutral"]))
        if (mode == "news" and "{cand_list}" in tpls[0]) or (
                mode == "reports" and used_slots(tpls[0]) & CANDIDATE_SLOTS):
            tags.append("hard_negative")
        text = " ".join(fill(p, slots) for p in tpls)
        if cand.contest.get("office", "").startswith("Presiden") or _office(cand.contest) == "presiden":
            text = text.replace("Pilkada", "Pemilu")
        if register == "casual" and mode in ("balanced", "calls", "questions", "pledges", "reports"):
            text, register = self.casualise(text, "neutral", tags, slots)
        tied = bool(used_slots(*tpls) & CONTEST_SLOTS)
        return self.record(text, "neutral", "", register, cand if tied else None, tags)

    def unrelated(self) -> dict:
        s = self.t["unrelated"]
        cand = self.executive()
        slots = self.candidate_slots(cand)
        slots["n"] = str(self.rng.randint(1, 12))  # numbers in unrelated posts are not ballot numbers
        mode = self.rng.choices(["everyday", "hard", "collision", "regional", "emoji", "story"],
                                [33, 37, 5, 11, 7, 7])[0]
        tags: list[str] = []
        if mode == "story":
            story = self.pick(s["stories"])
            keep = sorted(self.rng.sample(range(len(story)), self.rng.randint(5, len(story))))
            text, register = " ".join(fill(story[i], slots) for i in keep), "caption"
        elif mode == "regional":
            lang = self.pick(sorted(s["regional"]))
            text, register = fill(self.pick(s["regional"][lang]), slots), lang
        elif mode == "emoji":
            text, register = fill(self.pick(s["emoji_posts"]), slots), "emoji"
        else:
            key = {"everyday": "everyday", "hard": "hard_negatives", "collision": "name_collision"}[mode]
            tpl = self.pick(s[key])
            text = fill(tpl, slots)
            if self.rng.random() < 0.35:
                text = text + " " + self.pick(s["tails"])
            if mode != "everyday":
                tags.append("hard_negative")
            if tpl.startswith(FORMAL_STARTS):
                register = "formal"
            else:
                text, register = self.casualise(text, "unrelated", tags, None)
        return self.record(text, "unrelated", "", register, None, tags)

    # -- records -------------------------------------------------------------------------------
    def record(self, text, stance, target, register, cand, tags) -> dict:
        text = re.sub(r"\s+", " ", text).strip()
        tags = sorted(set(tags))
        if len(text.split()) >= 80:
            tags = sorted(set(tags) | {"long"})
        return {"id": "", "text": text, "stance": stance, "target": target, "register": register,
                "kind": "template", "election": cand.contest["id"] if cand else "", "tags": tags}

    def generate(self, counts: dict[str, int]) -> list[dict]:
        make = {"support": lambda: self.partisan("support"), "oppose": lambda: self.partisan("oppose"),
                "neutral": self.neutral, "unrelated": self.unrelated}
        seen: set[str] = set()
        rows: list[dict] = []
        for stance in STANCES:
            made, tries = 0, 0
            while made < counts[stance]:
                tries += 1
                if tries > counts[stance] * 50:
                    raise RuntimeError(f"cannot make {counts[stance]} distinct {stance} posts")
                row = make[stance]()
                # near-duplicates that differ only in digits or emoji count as one
                key = re.sub(r"[^a-z]", "", row["text"].lower())
                if key in seen:
                    continue
                seen.add(key)
                rows.append(row)
                made += 1
        self.rng.shuffle(rows)
        for i, row in enumerate(rows, 1):
            row["id"] = f"tpl-{i:05d}"
        return rows


def validate(paths: list[Path], contest_ids: set[str]) -> collections.Counter:
    """Check every line parses and its fields follow WRITING.md; exit non-zero naming file:line."""
    errors: list[str] = []
    counts: collections.Counter = collections.Counter()
    per: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    ids: set[str] = set()
    for path in paths:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.name}:{lineno}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: not JSON ({exc})")
                continue
            if set(row) != FIELDS:
                errors.append(f"{where}: fields {sorted(set(row) ^ FIELDS)} wrong")
                continue
            if row["id"] in ids:
                errors.append(f"{where}: duplicate id {row['id']}")
            ids.add(row["id"])
            if row["stance"] not in STANCES:
                errors.append(f"{where}: stance {row['stance']!r}")
            partisan = row["stance"] in ("support", "oppose")
            if partisan and not row["target"].strip():
                errors.append(f"{where}: {row['stance']} needs a target")
            if not partisan and row["target"] != "":
                errors.append(f"{where}: {row['stance']} must have an empty target")
            if row["register"] not in REGISTERS:
                errors.append(f"{where}: register {row['register']!r}")
            if row["election"] and row["election"] not in contest_ids:
                errors.append(f"{where}: unknown election {row['election']!r}")
            if not isinstance(row["tags"], list) or not row["text"].strip():
                errors.append(f"{where}: tags must be a list and text non-empty")
            counts[row["stance"]] += 1
            per[row["kind"]][row["stance"]] += 1
            per["register:" + row["kind"]][row["register"]] += 1
    for err in errors:
        print(err, file=sys.stderr)
    if errors:
        raise SystemExit(f"{len(errors)} problem(s) in {len(paths)} file(s)")
    for key in sorted(per):
        print(key, dict(sorted(per[key].items())))
    print("total", sum(counts.values()), dict(counts))
    return counts


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20260927)
    ap.add_argument("--out", type=Path, default=HERE / "raw" / "train_template_001.jsonl")
    ap.add_argument("--check", action="store_true", help="validate writer b's files and print label counts")
    for stance in STANCES:
        ap.add_argument(f"--{stance}", type=int, default=DEFAULT_COUNTS[stance])
    args = ap.parse_args(argv)

    candidates = load_candidates(HERE / "elections")
    contest_ids = {c.contest["id"] for c in candidates}
    if args.check:
        raw = HERE / "raw"
        paths = sorted(raw.glob("train_b_*.jsonl")) + sorted(raw.glob("train_template_*.jsonl"))
        validate(paths, contest_ids)
        return
    templates = yaml.safe_load((HERE / "templates.yaml").read_text(encoding="utf-8"))
    gen = Generator(templates, candidates, seed=args.seed)
    rows = gen.generate({s: getattr(args, s) for s in STANCES})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} posts to {args.out}")
    validate([args.out], contest_ids)


if __name__ == "__main__":
    main()
