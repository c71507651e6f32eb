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


def test_retraining_from_reviews_compares_with_the_current_model_and_registers(tmp_path):
    """Real reviews (seeded queue, decisions) → a tiny model trained on corpus + reviews, scored beside
    the current default on the same test set, its card saying so, registered in the store."""
    import torch
    from sqlalchemy import select

    from pipeline.classify.model import ModelSpec
    from pipeline.classify.registry import promote
    from pipeline.classify.retrain import retrain_from_reviews
    from pipeline.classify.tiny import make_tiny_backbone, synthetic_records
    from pipeline.classify.train import parse_args
    from pipeline.config import PROJECT_ROOT, Settings
    from pipeline.review import queue, sample
    from pipeline.review.decisions import save_decision
    from pipeline.review.labels import Labels
    from pipeline.store import open_store
    from pipeline.store.tables import ModelVersion

    torch.set_num_threads(min(2, torch.get_num_threads()))
    engine = open_store(f"sqlite:///{tmp_path / 'netra.db'}")
    sample.seed(engine, n_posts=30)
    settings = Settings()
    settings.queue.audit_rate = 0.0
    settings.queue.double_review_rate = 0.0
    settings.classify.models_dir = str(tmp_path / "models")
    queue.enqueue(settings, engine)
    (reviewer,) = sample.make_users(engine, 1)
    labels = (Labels("support", "confirm", "posting", "forward", target="02"),
              Labels("neutral", "unsure", "none", "dismiss"))  # fmt: skip
    n = 0
    while (claim := queue.claim_next(engine, reviewer.id, reviewer.username, settings)) is not None:
        save_decision(engine, claim.item_id, reviewer, labels[n % 2])
        n += 1
    assert n >= 4

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for split, k, seed in (("train", 10, 1), ("validation", 4, 2), ("test", 4, 3)):
        write_jsonl(corpus / f"{split}.jsonl", synthetic_records(k, seed=seed, prefix=split[0]))
    texts = [r["text"] for r in synthetic_records(10, seed=1)] + ["[CALON] [NOMOR] @user http"]
    backbone = make_tiny_backbone(tmp_path / "backbone", texts)

    def args(out):
        return parse_args(None, {
            "backbone": str(backbone), "output_dir": str(out), "num_train_epochs": 2, "learning_rate": 5e-3,
            "per_device_train_batch_size": 8, "disable_tqdm": True, "election_dir": None, "lora_r": 4,
            "max_length": 32, "data_dir": str(corpus),
        })  # fmt: skip

    from pipeline.classify.corpus import load_corpus
    from pipeline.classify.evaluate import evaluate_model
    from pipeline.classify.train import train_on_datasets

    models = tmp_path / "models"
    current = train_on_datasets(load_corpus(corpus, ("train", "validation")), *args(models / "current"),
                                cache=tmp_path / "cache")  # fmt: skip
    evaluate_model(current.folder, corpus, "test", tmp_path / "cache")
    promote("current", models_dir=models)

    out = retrain_from_reviews(settings, engine, *args(models / "from-reviews"), cache=tmp_path / "cache",
                               project_root=PROJECT_ROOT, work_dir=tmp_path / "work")  # fmt: skip
    assert out["counts"]["train"]["review"] + out["counts"]["test"]["review"] + \
        out["counts"]["validation"]["review"] == n
    assert out["current"]["model"] == "current"
    card = (models / "from-reviews" / "README.md").read_text()
    assert "Retrained from reviews" in card and "current: current" in card
    spec = ModelSpec.load(models / "from-reviews")
    assert spec.metrics["compared_with"]["version"] == "current"
    with engine.connect() as conn:
        assert set(conn.scalars(select(ModelVersion.version))) >= {"current", "from-reviews"}

    # Promotion compares on the test set both were scored on, not the default's own older one.
    from pipeline.classify.registry import default_version

    current_spec = ModelSpec.load(models / "current")
    current_spec.metrics["test"] = {"partisan_f1": 0.99, "macro_f1": 0.99}  # on the corpus test only
    current_spec.save(models / "current")
    spec.metrics["test"] = {"partisan_f1": 0.70, "macro_f1": 0.60}
    spec.metrics["compared_with"]["test"] = {"partisan_f1": 0.65, "macro_f1": 0.55}
    spec.save(models / "from-reviews")
    _, reasons = promote("from-reviews", models_dir=models)
    assert reasons == [] and default_version(models) == "from-reviews"
    spec.metrics["compared_with"]["test"] = {"partisan_f1": 0.75, "macro_f1": 0.55}  # worse there: refused
    spec.save(models / "from-reviews")
    promote("current", models_dir=models, force=True)
    _, reasons = promote("from-reviews", models_dir=models)
    assert reasons and default_version(models) == "current"
