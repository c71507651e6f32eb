"""The annotated corpus: validate the writers' raw batches, de-duplicate, guard the test split, split.

Raw batches live in ``data/annotated/raw/``: ``train_*.jsonl`` feed training and validation,
``test_*.jsonl`` are the held-out test split, written separately with other candidates and regions.
:func:`build_corpus` turns them into ``data/annotated/{train,validation,test}.jsonl``:

1. every line is validated; a bad one is set aside with file, line and field, the rest are kept;
2. exact and near-duplicate texts (after normalisation) are removed, and a text labelled two ways is
   dropped altogether (the writers disagreed, so neither label can be trusted);
3. nothing of the test split may leak into training: a training text that duplicates a test text, or
   mentions a test candidate by name, nickname, acronym, party or hashtag, is dropped;
4. validation is drawn from the handwritten training pool, stratified by stance and grouped by contest
   (``election``) so its candidates are unseen in training, as the test split's are (seeded).

:func:`load_corpus` reads the three files back as a ``datasets.DatasetDict``.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

LABELS = ("support", "oppose", "neutral", "unrelated")
PARTISAN = ("support", "oppose")
KINDS = ("handwritten", "template")
SPLITS = ("train", "validation", "test")
REQUIRED = ("id", "text", "stance")
KNOWN_FIELDS = {"id", "text", "stance", "target", "register", "kind", "election", "tags", "notes"}


@dataclass
class Problem:
    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"


@dataclass
class BuildReport:
    read: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    written: dict[str, int] = field(default_factory=dict)
    labels: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": dict(self.read),
            "problems": [str(p) for p in self.problems],
            "dropped": dict(self.dropped),
            "written": self.written,
            "labels": self.labels,
            "warnings": self.warnings,
        }


def validate_record(obj: Any) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """One raw line's object → a clean record, or None with (field, reason) problems."""
    if not isinstance(obj, dict):
        return None, [("<line>", "not a JSON object")]
    errors: list[tuple[str, str]] = []
    for key in REQUIRED:
        if key not in obj:
            errors.append((key, "missing"))
    for key in ("id", "text"):
        if key in obj and (not isinstance(obj[key], str) or not obj[key].strip()):
            errors.append((key, "must be a non-empty string"))
    election = obj.get("election") or ""  # empty for posts about no contest (unrelated ones)
    if not isinstance(election, str):
        errors.append(("election", "must be a string"))
    elif obj.get("stance") in PARTISAN and not election.strip():
        errors.append(("election", "a partisan post must name its contest"))
    if "stance" in obj and obj["stance"] not in LABELS:
        errors.append(("stance", f"{obj['stance']!r} is not one of {', '.join(LABELS)}"))
    target = obj.get("target") or ""
    if not isinstance(target, str):
        errors.append(("target", "must be a string"))
    kind = obj.get("kind", "handwritten")
    if kind not in KINDS:
        errors.append(("kind", f"{kind!r} is not one of {', '.join(KINDS)}"))
    tags = obj.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        errors.append(("tags", "must be a list of strings"))
    register = obj.get("register") or ""
    if not isinstance(register, str):
        errors.append(("register", "must be a string"))
    if errors:
        return None, errors
    stance = obj["stance"]
    return {
        "id": obj["id"].strip(),
        "text": obj["text"].strip(),
        "stance": stance,
        "target": target.strip() if stance in PARTISAN else "",
        "register": register,
        "kind": kind,
        "election": election.strip(),
        "tags": list(tags),
    }, []


def read_raw(files: Iterable[Path], report: BuildReport, root: Path) -> list[dict[str, Any]]:
    """Valid records from the raw batches, each with its ``source`` (file:line); problems reported."""
    records: list[dict[str, Any]] = []
    for path in files:
        name = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                report.read[name] += 1
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    report.problems.append(Problem(name, lineno, "<line>", f"invalid JSON ({exc.msg})"))
                    continue
                rec, errors = validate_record(obj)
                for fld, reason in errors:
                    report.problems.append(Problem(name, lineno, fld, reason))
                if rec is None:
                    continue
                extra = set(obj) - KNOWN_FIELDS
                if extra:
                    report.warnings.append(f"{name}:{lineno}: unknown fields ignored: {sorted(extra)}")
                rec["source"] = f"{name}:{lineno}"
                records.append(rec)
    return records


_KEY_STRIP = re.compile(r"[\W_]+", re.UNICODE)


def dedup_key(text: str) -> str:
    """What counts as the same text: lowercase letters and digits, links and mentions removed."""
    text = re.sub(r"https?://\S+|www\.\S+|@\w+", " ", text.lower())
    return _KEY_STRIP.sub(" ", text).strip()


def _near_duplicate_pairs(texts: list[str], threshold: float) -> list[tuple[int, int]]:
    """Pairs (i < j) whose character 3–5-gram TF-IDF cosine is at least ``threshold``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) < 2:
        return []
    x = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=1, sublinear_tf=True).fit_transform(
        texts
    )
    pairs: list[tuple[int, int]] = []
    for start in range(0, x.shape[0], 1000):
        sims = (x[start : start + 1000] @ x.T).tocoo()
        for i, j, v in zip(sims.row, sims.col, sims.data, strict=True):
            gi = start + int(i)
            if gi < j and v >= threshold:
                pairs.append((gi, int(j)))
    return pairs


def deduplicate(
    records: list[dict[str, Any]], report: BuildReport, split: str, threshold: float = 0.9
) -> list[dict[str, Any]]:
    """Keep the first of each group of (near-)duplicates; drop groups whose labels disagree."""
    keys = [dedup_key(r["text"]) for r in records]
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_by_key: dict[str, int] = {}
    for i, k in enumerate(keys):
        if k in first_by_key:
            parent[find(i)] = find(first_by_key[k])
        else:
            first_by_key[k] = i
    for i, j in _near_duplicate_pairs(keys, threshold):
        parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(records)):
        groups.setdefault(find(i), []).append(i)
    kept: list[dict[str, Any]] = []
    for members in sorted(groups.values(), key=min):
        labels = {records[i]["stance"] for i in members}
        if len(labels) > 1:
            report.dropped[f"{split}: conflicting labels on duplicates"] += len(members)
            report.warnings.append(
                f"conflicting labels {sorted(labels)} on duplicates: "
                + ", ".join(records[i]["source"] for i in members[:4])
            )
            continue
        kept.append(records[min(members)])
        if len(members) > 1:
            report.dropped[f"{split}: duplicate"] += len(members) - 1
    return kept


def _test_candidate_matcher(election_dir: Path, test_elections: set[str]):
    """A matcher for the test split's candidates (names, nicknames, acronyms, parties, hashtags)."""
    from pipeline.text.election import CandidateMatcher, election_files, load_election

    elections = []
    for path in election_files(election_dir):
        election = load_election(path)
        contests = [c for c in election.contests if c.id in test_elections]
        if contests:
            elections.append(election.model_copy(update={"contests": contests}))
    return CandidateMatcher(elections) if elections else None


def remove_leaks(
    train: list[dict[str, Any]],
    test: list[dict[str, Any]],
    report: BuildReport,
    election_dir: Path | None,
    threshold: float = 0.9,
) -> list[dict[str, Any]]:
    """Drop training records that repeat a test text or name a test candidate."""
    test_keys = {dedup_key(r["text"]) for r in test}
    keys = [dedup_key(r["text"]) for r in train]
    leaked = {i for i, k in enumerate(keys) if k in test_keys}
    if test:
        tk = sorted(test_keys)
        n = len(keys)
        for i, j in _near_duplicate_pairs(keys + tk, threshold):
            if i < n <= j:
                leaked.add(i)
    report.dropped["train: duplicates a test text"] += len(leaked)
    test_elections = {r["election"] for r in test}
    overlap = test_elections & {r["election"] for r in train}
    if overlap:
        report.warnings.append(f"contest ids used by both train and test: {sorted(overlap)}")
    matcher = None
    if election_dir is not None and election_dir.is_dir():
        matcher = _test_candidate_matcher(election_dir, test_elections - overlap)
    named = 0
    if matcher is not None:
        for i, rec in enumerate(train):
            if i in leaked:
                continue
            hits = [m for m in matcher.find(rec["text"]) if m.kind in ("name", "nickname", "acronym")]
            if hits:
                leaked.add(i)
                named += 1
                report.warnings.append(f"{rec['source']}: names a test-split candidate ({hits[0].kind})")
    report.dropped["train: names a test candidate"] += named
    return [r for i, r in enumerate(train) if i not in leaked]


def split_validation(
    pool: list[dict[str, Any]], fraction: float, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Stratified by stance, grouped by contest; only handwritten posts go to validation."""
    from sklearn.model_selection import StratifiedGroupKFold

    hand = [r for r in pool if r["kind"] == "handwritten"]
    rest = [r for r in pool if r["kind"] != "handwritten"]
    if len(hand) < 10 or fraction <= 0:
        return pool, []
    n_splits = max(2, round(1 / fraction))
    y = [LABELS.index(r["stance"]) for r in hand]
    groups = [r["election"] or r["id"] for r in hand]
    if len(set(groups)) < n_splits:
        groups = [r["id"] for r in hand]
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    train_idx, val_idx = next(cv.split(np.zeros(len(hand)), y, groups))
    return [hand[i] for i in sorted(train_idx)] + rest, [hand[i] for i in sorted(val_idx)]


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    n = 0
    tmp = path.with_suffix(".jsonl.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(path)
    return n


def build_corpus(
    root: Path,
    validation_fraction: float = 0.2,
    seed: int = 13,
    near_duplicate: float = 0.9,
    write: bool = True,
) -> tuple[dict[str, list], BuildReport]:
    """Build train/validation/test from ``root/raw`` (see the module docstring for the steps)."""
    report = BuildReport()
    raw = root / "raw"
    train_files = sorted(raw.glob("train_*.jsonl"))
    test_files = sorted(raw.glob("test_*.jsonl"))
    if not train_files:
        report.warnings.append(f"no train_*.jsonl in {raw}")
    train_pool = read_raw(train_files, report, root)
    test = read_raw(test_files, report, root)
    for recs in (train_pool, test):
        seen: set[str] = set()
        unique = []
        for r in recs:
            if r["id"] in seen:
                report.problems.append(
                    Problem(
                        r["source"].rsplit(":", 1)[0],
                        int(r["source"].rsplit(":", 1)[1]),
                        "id",
                        f"duplicate id {r['id']!r}",
                    )
                )
                continue
            seen.add(r["id"])
            unique.append(r)
        recs[:] = unique
    test = deduplicate(test, report, "test", near_duplicate)
    train_pool = deduplicate(train_pool, report, "train", near_duplicate)
    train_pool = remove_leaks(train_pool, test, report, root / "elections", near_duplicate)
    train, validation = split_validation(train_pool, validation_fraction, seed)
    splits = {"train": train, "validation": validation, "test": test}
    for name, recs in splits.items():
        report.labels[name] = {label: sum(r["stance"] == label for r in recs) for label in LABELS}
        report.written[name] = len(recs)
        if write:
            write_jsonl(root / f"{name}.jsonl", recs)
    return splits, report


FEATURES_SPEC = {
    "id": "string",
    "text": "string",
    "stance": "label",
    "target": "string",
    "register": "string",
    "kind": "string",
    "election": "string",
    "tags": "list",
    "source": "string",
}


def features():
    from datasets import ClassLabel, Features, Sequence, Value

    spec = {}
    for name, kind in FEATURES_SPEC.items():
        if kind == "label":
            spec[name] = ClassLabel(names=list(LABELS))
        elif kind == "list":
            spec[name] = Sequence(Value("string"))
        else:
            spec[name] = Value("string")
    return Features(spec)


def records_to_dataset(records: list[dict[str, Any]]):
    """Records (stance as a name) → a ``datasets.Dataset`` with ``stance`` a ClassLabel."""
    from datasets import Dataset

    rows = [
        {
            k: (
                LABELS.index(r[k])
                if k == "stance" and isinstance(r[k], str)
                else r.get(k, "" if k != "tags" else [])
            )
            for k in FEATURES_SPEC
        }
        for r in records
    ]
    return Dataset.from_list(rows, features=features())


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_corpus(root: Path, splits: Iterable[str] = SPLITS):
    """``data/annotated/{train,validation,test}.jsonl`` as a ``datasets.DatasetDict``."""
    from datasets import DatasetDict

    out = {}
    for name in splits:
        path = root / f"{name}.jsonl"
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist: run `netra corpus build` first")
        out[name] = records_to_dataset(read_jsonl(path))
    return DatasetDict(out)
