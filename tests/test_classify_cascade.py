"""A cascade of two saved models: the rule between them, loading, fitting, and early exit inside it."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from pipeline.classify.cascade import (
    CascadePredictor,
    band,
    deferred,
    fit_cascade,
    stage_folders,
    write_cascade,
)
from pipeline.classify.corpus import LABELS
from pipeline.classify.infer import StancePredictor
from pipeline.classify.model import ModelSpec
from pipeline.classify.registry import ModelNotFound
from pipeline.classify.tiny import synthetic_records
from tests.test_classify_early_exit import PARTISAN
from tests.test_classify_model import tiny_model

TEXTS = (
    [r["text"] for r in synthetic_records(10, seed=1)]
    + [r["text"] for r in synthetic_records(8, seed=11, prefix="n")]
    + ["xq zzv", "ok", "hmm 2", "coblos nomor 2 " * 30]
)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A models folder with two versions of the tiny model that answer differently: ``fast`` and
    ``strong`` (the same network, another calibration temperature and blend weight)."""
    root = tmp_path_factory.mktemp("cascade")
    _, result = tiny_model(root)
    models = root / "models"
    for name, temperature, weight in (("fast", 0.6, 0.2), ("strong", 2.5, 0.4)):
        shutil.copytree(result.folder, models / name)
        spec = ModelSpec.load(models / name)
        spec.version, spec.temperature = name, temperature
        spec.blend = {**spec.blend, "weight": weight, "temperature": 0.5}
        spec.save(models / name)
    return models


def make_cascade(models, name: str, margin: float) -> None:
    fitted = {"margin": margin, "threshold": 0.5}
    write_cascade(models / name, ModelSpec.load(models / "fast"), ModelSpec.load(models / "strong"), fitted)


def partisan(probs: np.ndarray) -> np.ndarray:
    return probs[:, PARTISAN].sum(1)


def test_band_is_symmetric_in_log_odds_around_the_threshold():
    low, high = band(0.5, np.log(9))
    assert low == pytest.approx(0.1) and high == pytest.approx(0.9)
    low, high = band(0.3, 1.0)
    assert low < 0.3 < high
    assert np.log(0.3 / 0.7) - np.log(low / (1 - low)) == pytest.approx(1.0)
    scores = np.array([0.05, 0.099, 0.2, 0.5, 0.89, 0.901, 0.95])
    np.testing.assert_array_equal(deferred(scores, 0.5, np.log(9)), [0, 0, 1, 1, 1, 0, 0])
    assert not deferred(scores, 0.5, 0.0).any()


def test_a_cascade_takes_the_second_models_answer_inside_the_band_and_the_firsts_outside(models, tmp_path):
    make_cascade(models, "both", margin=1.0)
    cascade = StancePredictor.load(models / "both", tmp_path)
    assert isinstance(cascade, CascadePredictor)
    assert cascade.spec.version == "both" and cascade.shared_text
    fast = StancePredictor.load(models / "fast", tmp_path).probabilities(TEXTS)
    strong = StancePredictor.load(models / "strong", tmp_path).probabilities(TEXTS)
    sent = deferred(partisan(fast), 0.5, 1.0)
    assert 0 < sent.sum() < len(TEXTS)  # the test exercises both branches
    probs = cascade.probabilities(TEXTS)
    np.testing.assert_allclose(probs[sent], strong[sent], atol=1e-6)
    np.testing.assert_allclose(probs[~sent], fast[~sent], atol=1e-6)
    assert not np.allclose(fast[sent], strong[sent])  # the two stages do differ there
    assert cascade.counts["deferred"] == sent.sum() and cascade.counts["posts"] == len(TEXTS)
    predictions = cascade.predict(TEXTS)
    assert [p.partisan for p in predictions] == list(partisan(probs) >= 0.5)


def test_margin_zero_is_the_first_model_and_a_wide_margin_the_second(models, tmp_path):
    make_cascade(models, "none", margin=0.0)
    make_cascade(models, "all", margin=50.0)
    fast = StancePredictor.load(models / "fast", tmp_path).probabilities(TEXTS)
    strong = StancePredictor.load(models / "strong", tmp_path).probabilities(TEXTS)
    np.testing.assert_allclose(StancePredictor.load(models / "none", tmp_path).probabilities(TEXTS), fast)
    np.testing.assert_allclose(StancePredictor.load(models / "all", tmp_path).probabilities(TEXTS), strong)


def test_with_early_exit_the_cascade_routes_on_the_first_stages_scores_as_it_gives_them(models, tmp_path):
    """Early exit in the first stage: fewer network runs, and the band applied to the scores it returns."""
    make_cascade(models, "exit", margin=1.0)
    cascade = StancePredictor.load(models / "exit", tmp_path, early_exit=True)
    for stage, folder in zip(cascade.stages, stage_folders(models / "exit"), strict=True):
        stage.spec.blend = {"weight": 0.1, "temperature": 0.5, "file": "tfidf.npz"}  # lets it exit
        stage.attach_blend(folder)
    first = cascade.first.probabilities(TEXTS)
    assert 0 < cascade.first.counts["network"] < len(TEXTS)
    strong = cascade.second.probabilities(TEXTS)
    sent = deferred(partisan(first), 0.5, 1.0)
    probs = cascade.probabilities(TEXTS)
    np.testing.assert_allclose(probs[sent], strong[sent], atol=1e-6)
    np.testing.assert_allclose(probs[~sent], first[~sent], atol=1e-6)
    assert cascade.counts["network"] < cascade.counts["posts"] == len(TEXTS)


def test_fit_picks_the_smallest_margin_that_agrees_enough(models, tmp_path):
    fast, strong = (StancePredictor.load(models / name, tmp_path) for name in ("fast", "strong"))
    fitted = fit_cascade(fast, strong, TEXTS, agreement=0.95)
    tried = fitted["validation"]["tried"]
    assert [t["margin"] for t in tried] == sorted(t["margin"] for t in tried)
    assert [t["deferred"] for t in tried] == sorted(t["deferred"] for t in tried)
    chosen = next(i for i, t in enumerate(tried) if t["margin"] == fitted["margin"])
    assert tried[chosen]["agreement"] >= 0.95 or chosen == len(tried) - 1
    assert all(t["agreement"] < 0.95 for t in tried[:chosen])
    # Wider bands send more posts on and agree more with the second model.
    assert tried[-1]["agreement"] >= tried[0]["agreement"]
    assert fitted["band_at_threshold"] == pytest.approx(band(0.5, fitted["margin"]), abs=1e-4)


def test_a_cascade_whose_stage_is_missing_or_mismatched_says_so(models, tmp_path):
    make_cascade(models, "broken", margin=1.0)
    spec = ModelSpec.load(models / "broken")
    spec.cascade["second"] = "gone"
    spec.save(models / "broken")
    with pytest.raises(ModelNotFound, match="gone"):
        StancePredictor.load(models / "broken", tmp_path)
    assert stage_folders(models / "fast") == [models / "fast"]
    odd = models / "odd"
    shutil.copytree(models / "strong", odd)
    spec = ModelSpec.load(odd)
    spec.version, spec.labels = "odd", list(reversed(LABELS))
    spec.save(odd)
    spec = ModelSpec.load(models / "broken")
    spec.cascade["second"] = "odd"
    spec.save(models / "broken")
    with pytest.raises(ValueError, match="different labels"):
        StancePredictor.load(models / "broken", tmp_path)
