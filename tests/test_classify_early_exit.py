"""The two inference paths that must not change a decision: early exit and one-window int8 calls."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.classify.baseline import TfidfBaseline
from pipeline.classify.blend import BlendPart, save_tfidf
from pipeline.classify.corpus import LABELS
from pipeline.classify.infer import StancePredictor
from pipeline.classify.tiny import synthetic_records
from tests.test_classify_model import tiny_model

PARTISAN = [LABELS.index("support"), LABELS.index("oppose")]


def blend_part(folder, weight: float, temperature: float) -> BlendPart:
    train = synthetic_records(8, seed=3)
    fitted = TfidfBaseline(c_grid=(10.0,)).fit(
        [r["text"] for r in train], [LABELS.index(r["stance"]) for r in train]
    )
    save_tfidf(fitted.pipeline_, folder / "tfidf.npz")
    return BlendPart(folder, weight, "tfidf.npz", temperature)


def decisions(probs: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    return probs.argmax(1), probs[:, PARTISAN].sum(1) >= threshold


@pytest.mark.parametrize(
    ("weight", "temperature", "threshold"), [(0.4, 0.47, 0.5), (0.3, 1.0, 0.5), (0.45, 0.8, 0.3)]
)
def test_a_decided_post_keeps_its_decision_whatever_the_transformer_says(
    tmp_path, weight, temperature, threshold
):
    part = blend_part(tmp_path, weight, temperature)
    rng = np.random.default_rng(0)
    # From near-certain to flat TF-IDF outputs, so that some rows are decided and some are not.
    p_tfidf = np.concatenate([rng.dirichlet(np.full(4, a), size=300) for a in (0.05, 0.3, 1.0, 5.0)])
    decided = part.decided(p_tfidf, PARTISAN, threshold)
    assert 0.1 < decided.mean() < 0.9
    # The transformer's extremes (all mass on one class) and random outputs in between.
    outputs = [np.eye(4)[k] for k in range(4)] + list(rng.dirichlet(np.ones(4), size=40))
    stance0, flag0 = decisions(part.mix(np.tile(outputs[0], (len(p_tfidf), 1)), p_tfidf), threshold)
    changed = np.zeros(len(p_tfidf), dtype=bool)
    for out in outputs[1:]:
        stance, flag = decisions(part.mix(np.tile(out, (len(p_tfidf), 1)), p_tfidf), threshold)
        changed |= (stance != stance0) | (flag != flag0)
    assert not (changed & decided).any()
    assert changed[~decided].mean() > 0.5  # the rule is not so loose that it decides nothing


def test_a_transformer_holding_half_the_weight_or_more_always_runs(tmp_path):
    p_tfidf = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
    assert not blend_part(tmp_path, 0.5, 1.0).decided(p_tfidf, PARTISAN, 0.5).any()
    assert blend_part(tmp_path, 0.3, 1.0).decided(p_tfidf, PARTISAN, 0.5).all()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_model(tmp_path_factory.mktemp("tiny_exit"))[1]


def with_blend(predictor: StancePredictor, folder, weight: float = 0.1) -> StancePredictor:
    """A blend of known weight: the tiny model's own chosen weight may be 0 or 1."""
    predictor.spec.blend = {"weight": weight, "temperature": 0.5, "file": "tfidf.npz"}
    predictor.attach_blend(folder)
    return predictor


@pytest.mark.parametrize("quantize", [False, True], ids=["float32", "ort-int8"])
def test_early_exit_decides_as_the_full_blend_does_with_fewer_network_runs(tiny, tmp_path, quantize):
    texts = [r["text"] for r in synthetic_records(10, seed=1)]  # the TF-IDF part has learnt these
    texts += [r["text"] for r in synthetic_records(6, seed=11, prefix="n")] + ["xq zzv", "ok", "hmm 2"]

    def load(early_exit: bool) -> StancePredictor:
        predictor = StancePredictor.load(tiny.folder, tmp_path, quantize=quantize, early_exit=early_exit)
        return with_blend(predictor, tiny.folder)

    full, fast = load(False), load(True)
    a, b = full.predict(texts), fast.predict(texts)
    assert [(p.stance, p.partisan) for p in a] == [(p.stance, p.partisan) for p in b]
    assert full.counts == {"posts": len(texts), "network": len(texts)}
    assert 0 < fast.counts["network"] < len(texts)
    # Posts that ran get exactly the full blend's scores; the others the blend with the transformer
    # taken to agree with the TF-IDF part.
    p_tfidf = fast.blend.probabilities(fast.preprocess(texts))
    decided = fast.blend.decided(p_tfidf, fast.partisan_idx, fast.threshold)
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if decided[i]:
            expected = fast.blend.mix(p_tfidf[i : i + 1], p_tfidf[i : i + 1])[0]
            np.testing.assert_allclose([y.scores[lab] for lab in LABELS], expected, atol=1e-5)
        else:
            assert x.scores == y.scores


def test_early_exit_counts_every_post_in_the_progress(tiny, tmp_path):
    predictor = with_blend(StancePredictor.load(tiny.folder, tmp_path, early_exit=True), tiny.folder)
    texts = [r["text"] for r in synthetic_records(10, seed=1)] + ["xq zzv"]
    seen: list[int] = []
    predictor.probabilities(texts, progress=seen.append)
    assert sum(seen) == len(texts) and len(seen) >= 2  # the skipped posts, then the network's
    assert predictor.predict([]) == [] and predictor.probabilities([]).shape == (0, len(LABELS))


def test_an_int8_posts_answer_does_not_depend_on_its_batch_mates(tiny, tmp_path):
    """Dynamic int8 gives a call one activation scale: batched, a post's logits moved with its neighbours."""
    predictor = StancePredictor.load(tiny.folder, tmp_path, quantize=True, batch_size=8)
    texts = [r["text"] for r in synthetic_records(6, seed=5)] + ["coblos nomor 2 " * 40, "ok"]
    together = predictor.logits(texts)
    apart = np.concatenate([predictor.logits(texts[i : i + 1]) for i in range(len(texts))])
    reordered = predictor.logits(texts[::-1])[::-1]
    np.testing.assert_array_equal(together, apart)
    np.testing.assert_array_equal(together, reordered)
