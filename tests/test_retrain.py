"""Retraining data from reviews: time- and account-disjoint splits, merged with the corpus."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from pipeline.classify.corpus import read_jsonl, write_jsonl
from pipeline.classify.retrain import split_by_time_and_account, write_retraining_data


def _reviews(n_authors: int = 12, per_author: int = 5) -> list[dict]:
    start = datetime(2026, 10, 1)
    rows = []
    for a in range(n_authors):
        for k in range(per_author):
            i = a * per_author + k
            rows.append({
                "id": f"review-{i}", "text": f"post {i}", "stance": "support" if i % 2 else "neutral",
                "target": "", "register": "", "kind": "review", "election": "", "tags": [],
                "source": "review",
                "author": f"x:user{a}", "created_at": start + timedelta(hours=7 * k + a),
            })  # fmt: skip
    return rows


def test_no_author_is_in_two_splits_and_test_holds_the_newest_posts():
    rows = _reviews()
    parts = split_by_time_and_account(rows, test_fraction=0.2, validation_fraction=0.1)
    authors = {name: {r["author"] for r in part} for name, part in parts.items()}
    assert not authors["train"] & authors["test"]
    assert not authors["train"] & authors["validation"]
    assert not authors["validation"] & authors["test"]
    assert sum(len(p) for p in parts.values()) == len(rows)  # nothing lost or doubled
    newest = max(rows, key=lambda r: r["created_at"])
    assert newest in parts["test"]
    assert parts["train"] and parts["validation"]


def test_retraining_folder_merges_corpus_and_reviews(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for split in ("train", "validation", "test"):
        write_jsonl(corpus / f"{split}.jsonl", [{"id": f"{split}-1", "text": "t", "stance": "unrelated"}])
    data = write_retraining_data(corpus, _reviews(), tmp_path / "out")
    assert data.counts["train"]["corpus"] == 1 and data.counts["test"]["review"] > 0
    merged = read_jsonl(tmp_path / "out" / "test.jsonl")
    assert {r["source"] for r in merged} == {"corpus", "review"}
    assert all("author" not in r for r in merged)  # no account names in the training files
    assert json.loads((tmp_path / "out" / "counts.json").read_text()) == data.counts
