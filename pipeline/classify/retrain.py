"""Retraining from reviewers' decisions: ``netra train --from-reviews``.

Reviewers' final labels (adjudicated where two reviewers disagreed) join the annotated corpus. The
reviewed posts are split so that the test set estimates what the next nights will bring: the newest
posts go to test, and with them every other post of the same authors, so no author is in both
training and test (an account's style would otherwise leak its label). Validation is carved from
the rest the same way. The new model and the current default are then scored on the same test set
and both results go into the new model card; the new version is registered, not promoted:
``netra models promote`` decides, and refuses a worse model unless forced.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .corpus import SPLITS, read_jsonl, write_jsonl


@dataclass
class RetrainData:
    folder: Path
    counts: dict[str, dict[str, int]]  # split -> {"corpus": n, "review": n}


def review_records(dataset) -> list[dict[str, Any]]:
    """Reviewed items (``pipeline.review.export.reviewed_dataset``) as corpus records."""
    records = []
    for row in dataset:
        if not row.get("text") or not row.get("stance"):
            continue
        records.append({
            "id": f"review-{row['item_id']}",
            "text": row["text"],
            "stance": row["stance"],
            "target": row.get("target") or "",
            "register": "",
            "kind": "review",
            "election": "",
            "tags": [row.get("label_source") or ""],
            "source": "review",
            "author": f"{row.get('platform')}:{row.get('author')}",
            "created_at": row.get("created_at"),
        })  # fmt: skip
    return records


def _carve(pool: list[dict[str, Any]], fraction: float) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Hold out the newest ``fraction`` of ``pool`` plus every post of their authors."""
    if not pool or fraction <= 0:
        return pool, []
    newest = pool[-max(1, math.ceil(len(pool) * fraction)) :]
    authors = {r["author"] for r in newest}
    return [r for r in pool if r["author"] not in authors], [r for r in pool if r["author"] in authors]


def split_by_time_and_account(
    records: Sequence[dict[str, Any]], test_fraction: float = 0.2, validation_fraction: float = 0.1
) -> dict[str, list[dict[str, Any]]]:
    """Train/validation/test with no author in two splits and the newest posts in test."""
    ordered = sorted(records, key=lambda r: (str(r.get("created_at") or ""), r["id"]))
    rest, test = _carve(ordered, test_fraction)
    train, validation = _carve(rest, validation_fraction / max(1e-9, 1 - test_fraction))
    return {"train": train, "validation": validation, "test": test}


def write_retraining_data(
    corpus_dir: Path, reviews: Sequence[dict[str, Any]], folder: Path, **split_args: float
) -> RetrainData:
    """The annotated corpus plus the split reviews, written as a corpus folder (train/validation/test)."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = split_by_time_and_account(reviews, **split_args)
    counts: dict[str, dict[str, int]] = {}
    for split in SPLITS:
        corpus = [
            {**r, "source": r.get("source") or "corpus"} for r in read_jsonl(corpus_dir / f"{split}.jsonl")
        ]
        reviewed = [{k: v for k, v in r.items() if k not in ("author", "created_at")} for r in parts[split]]
        write_jsonl(folder / f"{split}.jsonl", [*corpus, *reviewed])
        counts[split] = {"corpus": len(corpus), "review": len(reviewed)}
    (folder / "counts.json").write_text(json.dumps(counts, indent=2) + "\n")
    return RetrainData(folder=folder, counts=counts)


def comparison_section(new: dict[str, Any], current: dict[str, Any] | None, counts: dict) -> str:
    """A model-card section: the new model beside the current default on the same test set."""
    lines = [
        "",
        "## Retrained from reviews",
        "",
        "Training data: the annotated corpus plus reviewers' final decisions (adjudicated where they",
        "disagreed), split by time and by account (no author in both training and test).",
        "",
        "| split | corpus | reviewed |",
        "|---|---|---|",
        *(f"| {s} | {c['corpus']} | {c['review']} |" for s, c in counts.items()),
        "",
        "Same test set, both models:",
        "",
        "| metric | new: " + new["model"] + (" | current: " + current["model"] if current else "") + " |",
        "|---|---|" + ("---|" if current else ""),
    ]
    for label, key in (("macro-F1", "macro_f1"), ("accuracy", "accuracy")):
        row = f"| {label} | {new['transformer'][key]:.3f} |"
        lines.append(row + (f" {current['transformer'][key]:.3f} |" if current else ""))
    partisan_rows = (
        ("partisan precision", "precision"),
        ("partisan recall", "recall"),
        ("partisan F1", "f1"),
    )
    for label, key in partisan_rows:
        row = f"| {label} | {new['transformer']['partisan'][key]:.3f} |"
        lines.append(row + (f" {current['transformer']['partisan'][key]:.3f} |" if current else ""))
    lines.append("")
    return "\n".join(lines)


class NoReviews(RuntimeError):
    """Nothing has been decided yet, so there is nothing to learn from."""


def retrain_from_reviews(
    settings,
    engine,
    model_args,
    data_args,
    training_args,
    cache: str | Path,
    project_root: Path,
    work_dir: Path | None = None,
) -> dict[str, Any]:
    """Train on corpus + reviews, score the new model and the current default on the same test set,
    put both in the new model card, and register the new version (promotion stays a separate step).
    """
    from pipeline.review.export import reviewed_dataset

    from .corpus import load_corpus
    from .evaluate import evaluate_model, summary
    from .model import ModelSpec
    from .registry import default_version, models_dir_for, resolve_model, sync_store
    from .train import train_on_datasets

    reviews = review_records(reviewed_dataset(engine))
    if not reviews:
        raise NoReviews("no decided review items yet: review some flagged posts first (netra review serve)")
    out = Path(training_args.output_dir)
    # The merged data holds reviewed posts' texts: it stays in var/ (not committed), not in models/.
    work_dir = work_dir or settings.path("var/retrain")
    data = write_retraining_data(project_root / data_args.data_dir, reviews, work_dir / out.name)
    result = train_on_datasets(
        load_corpus(data.folder, ("train", "validation")), model_args, data_args, training_args, cache,
        project_root=project_root,
    )  # fmt: skip
    election_dir = project_root / data_args.election_dir if data_args.election_dir else None
    threshold = settings.queue.partisan_threshold
    new = evaluate_model(result.folder, data.folder, "test", cache, election_dir, threshold)
    models_dir = models_dir_for(settings)
    current_version = default_version(models_dir)
    current = None
    if current_version and current_version != result.folder.name:
        current = evaluate_model(
            resolve_model(current_version, models_dir), data.folder, "test", cache, election_dir, threshold,
            write=False,
        )  # fmt: skip
        spec = ModelSpec.load(result.folder)
        # Promotion compares versions on this test set, the one both were scored on.
        spec.metrics["compared_with"] = {"version": current_version, "test": summary(current["transformer"])}
        spec.save(result.folder)
    card = result.folder / "README.md"
    card.write_text(card.read_text(encoding="utf-8") + comparison_section(new, current, data.counts))
    sync_store(engine, models_dir)
    return {"folder": result.folder, "new": new, "current": current, "counts": data.counts}
