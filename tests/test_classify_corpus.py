"""The corpus builder: validation of raw lines, de-duplication, test-leak guard, seeded splits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.classify.corpus import LABELS, build_corpus, load_corpus, validate_record
from pipeline.classify.tiny import synthetic_records

ELECTIONS = """
contests:
  - id: {cid}
    office: Bupati
    candidates:
      - {{number: "01", names: [{name}], nicknames: [{nick}], acronym: {acr}}}
"""


def write_raw(root: Path, name: str, records: list, extra_lines: list[str] = ()) -> Path:
    raw = root / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    path = raw / name
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_corpus(root: Path, n: int = 12) -> None:
    train = synthetic_records(n, seed=1, prefix="a")
    for i, r in enumerate(train):
        r["election"] = f"a-{i % 6}"  # six contests, so validation can be grouped by contest
    test = synthetic_records(4, seed=2, prefix="t")
    for r in test:
        r["text"] = "uji " + r["text"].replace("Pak", "Tuan").replace("Bu", "Nyonya")
        r["election"] = "t-1"
    write_raw(root, "train_a_001.jsonl", train)
    write_raw(root, "test_t_001.jsonl", test)
    (root / "elections").mkdir(exist_ok=True)
    (root / "elections" / "t.yaml").write_text(
        ELECTIONS.format(cid="t-1", name="Yusran Tomasoa", nick="Pak Yusran", acr="YUSTO")
    )


def test_bad_lines_are_reported_with_file_line_and_field(tmp_path):
    make_corpus(tmp_path)
    write_raw(
        tmp_path,
        "train_b_001.jsonl",
        [
            {
                "id": "b-1",
                "text": "dukung Pak Hendra",
                "stance": "support",
                "target": "Hendra",
                "election": "b-1",
            },
            {"id": "b-2", "text": "", "stance": "neutral", "election": "b-1"},
            {"id": "b-3", "text": "hmm", "stance": "maybe", "election": "b-1"},
            {"id": "b-4", "text": "coblos 02", "stance": "support", "election": ""},
        ],
        extra_lines=["{not json"],
    )
    splits, report = build_corpus(tmp_path)
    problems = {(p.file, p.line, p.field) for p in report.problems}
    assert ("raw/train_b_001.jsonl", 2, "text") in problems
    assert ("raw/train_b_001.jsonl", 3, "stance") in problems
    assert ("raw/train_b_001.jsonl", 4, "election") in problems
    assert ("raw/train_b_001.jsonl", 5, "<line>") in problems
    ids = {r["id"] for s in splits.values() for r in s}
    assert "b-1" in ids and not {"b-2", "b-3", "b-4"} & ids


def test_exact_and_near_duplicates_are_removed_and_conflicts_dropped(tmp_path):
    make_corpus(tmp_path)
    base = {"stance": "support", "target": "02", "election": "b-1", "kind": "handwritten"}
    write_raw(
        tmp_path,
        "train_b_001.jsonl",
        [
            {**base, "id": "d-1", "text": "Coblos nomor 2 ya dulur, Pak Hendra sudah terbukti kerjanya!!"},
            {**base, "id": "d-2", "text": "coblos nomor 2 ya dulur pak hendra sudah terbukti kerjanya"},
            {
                **base,
                "id": "d-3",
                "text": "Coblos nomor 2 ya dulur, Pak Hendra sudah terbukti kerjanya!! @someone",
            },
            {**base, "id": "c-1", "text": "Pak Hendra lagi di pasar pagi ini", "stance": "support"},
            {
                **base,
                "id": "c-2",
                "text": "pak hendra lagi di pasar pagi ini.",
                "stance": "neutral",
                "target": "",
            },
        ],
    )
    splits, report = build_corpus(tmp_path)
    ids = {r["id"] for s in splits.values() for r in s}
    assert "d-1" in ids and not {"d-2", "d-3"} & ids
    assert not {"c-1", "c-2"} & ids
    assert report.dropped["train: duplicate"] == 2
    assert report.dropped["train: conflicting labels on duplicates"] == 2


def test_test_texts_and_test_candidates_never_reach_training(tmp_path):
    make_corpus(tmp_path)
    test_text = json.loads((tmp_path / "raw" / "test_t_001.jsonl").read_text().splitlines()[0])["text"]
    write_raw(
        tmp_path,
        "train_b_001.jsonl",
        [
            {"id": "l-1", "text": test_text, "stance": "support", "target": "x", "election": "b-1"},
            {
                "id": "l-2",
                "text": "Ayo menangkan Pak Yusran di pilkada nanti",
                "stance": "support",
                "target": "x",
                "election": "b-1",
            },
            {
                "id": "l-3",
                "text": "YUSTO menang telak, mantap",
                "stance": "support",
                "target": "x",
                "election": "b-1",
            },
        ],
    )
    splits, report = build_corpus(tmp_path)
    train_ids = {r["id"] for r in splits["train"] + splits["validation"]}
    assert not {"l-1", "l-2", "l-3"} & train_ids
    assert report.dropped["train: duplicates a test text"] == 1
    assert report.dropped["train: names a test candidate"] == 2


def test_validation_is_seeded_stratified_and_grouped_by_contest(tmp_path):
    make_corpus(tmp_path, n=15)
    a, _ = build_corpus(tmp_path, validation_fraction=0.2, seed=7)
    b, _ = build_corpus(tmp_path, validation_fraction=0.2, seed=7)
    assert [r["id"] for r in a["validation"]] == [r["id"] for r in b["validation"]]
    assert a["validation"], "validation must not be empty"
    train_contests = {r["election"] for r in a["train"]}
    assert not train_contests & {r["election"] for r in a["validation"]}
    assert {r["stance"] for r in a["validation"]} == set(LABELS)


def test_written_files_load_as_a_datasetdict(tmp_path):
    make_corpus(tmp_path)
    build_corpus(tmp_path)
    ds = load_corpus(tmp_path)
    assert set(ds) == {"train", "validation", "test"}
    assert ds["train"].features["stance"].names == list(LABELS)
    assert len(ds["test"]) == 16
    with pytest.raises(FileNotFoundError, match="netra corpus build"):
        load_corpus(tmp_path / "nowhere")


def test_non_partisan_targets_are_cleared():
    rec, errors = validate_record(
        {"id": "x", "text": "KPU umumkan", "stance": "neutral", "target": "02", "election": "e"}
    )
    assert not errors and rec["target"] == ""
