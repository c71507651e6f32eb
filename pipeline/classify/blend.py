"""A blend of the transformer with the TF-IDF model: the two make different mistakes.

The fine-tuned encoder generalises over phrasing and regional languages; character n-grams catch
spelling variants, slogans and cue words the small encoder misses. Their calibrated probabilities are
averaged with one weight ``w`` (``w·transformer + (1−w)·TF-IDF``) chosen on validation macro-F1, on the
model's own preprocessed text (normalised, candidates masked). The TF-IDF part is stored beside the
adapter as plain arrays (``tfidf.npz``: vocabularies, idf weights, coefficients, settings), not as a
pickle: a pickle runs code when loaded and breaks when scikit-learn changes its internals, and a model
folder is shared between researchers and the nightly scan. It costs about a millisecond a post.
Evaluation reports the transformer alone, the TF-IDF model alone and the blend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from .calibrate import fit_temperature, softmax

BLEND_FILE = "tfidf.npz"
# The vectoriser settings that change what transform() computes; everything else is the default.
_VECTORISER_KEYS = ("analyzer", "ngram_range", "lowercase", "token_pattern", "sublinear_tf", "norm",
                    "use_idf", "smooth_idf", "strip_accents")  # fmt: skip


def save_tfidf(pipeline, path: Path) -> None:
    """A fitted TF-IDF + logistic-regression pipeline (baseline.py) → arrays in one ``.npz``."""
    import json

    union, clf = pipeline.steps[0][1], pipeline.steps[-1][1]
    arrays: dict[str, np.ndarray] = {}
    settings = []
    for name, vec in union.transformer_list:
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
        arrays[f"{name}.terms"] = np.array(terms, dtype=str)
        arrays[f"{name}.idf"] = vec.idf_
        settings.append({"name": name, **{k: vec.get_params()[k] for k in _VECTORISER_KEYS}})
    arrays["coef"], arrays["intercept"] = clf.coef_, clf.intercept_
    arrays["classes"] = np.asarray(clf.classes_, dtype=np.int64)
    arrays["settings"] = np.array(json.dumps(settings))
    np.savez_compressed(path, **arrays)


class SavedTfidf:
    """The ``.npz`` read back: the same vectorisers (fixed vocabulary and idf) and a softmax over the
    stored coefficients, which is what a multinomial logistic regression's predict_proba computes."""

    def __init__(self, path: Path) -> None:
        import json

        from sklearn.feature_extraction.text import TfidfVectorizer

        with np.load(path, allow_pickle=False) as data:
            self.vectorisers = []
            for item in json.loads(str(data["settings"])):
                name = item.pop("name")
                item["ngram_range"] = tuple(item["ngram_range"])
                vec = TfidfVectorizer(vocabulary=list(data[f"{name}.terms"]), **item)
                vec.idf_ = data[f"{name}.idf"]
                self.vectorisers.append(vec)
            self.coef, self.intercept = data["coef"], data["intercept"]
            self.classes_ = data["classes"]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        import scipy.sparse as sp

        x = sp.hstack([vec.transform(texts) for vec in self.vectorisers]).tocsr()
        return softmax(np.asarray(x @ self.coef.T) + self.intercept)
WEIGHTS = tuple(round(w, 2) for w in np.linspace(0.0, 1.0, 11))


def choose_weight(p_model: np.ndarray, p_tfidf: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The weight with the best validation macro-F1 (ties go to the transformer's larger share)."""
    best = (-1.0, 1.0)
    for w in WEIGHTS:
        pred = (w * p_model + (1 - w) * p_tfidf).argmax(1)
        score = f1_score(labels, pred, average="macro", labels=[0, 1, 2, 3], zero_division=0)
        if score > best[0] + 1e-9 or (abs(score - best[0]) <= 1e-9 and w > best[1]):
            best = (float(score), float(w))
    return best[1], best[0]


def fit_blend(predictor, datasets, folder: Path, views=None) -> dict[str, Any]:
    """Fit the TF-IDF part on train, choose the weight on validation, save it into ``folder``.

    ``views`` are the preprocessings the transformer was trained on (infer.preprocess_views): the
    TF-IDF part learns from, and the weight is chosen on, the same views.
    """
    from .baseline import TfidfBaseline
    from .infer import apply_views

    views = views or [predictor.preprocess]
    train_x, y_train = apply_views(views, list(datasets["train"]["text"]), list(datasets["train"]["stance"]))
    val_x, y_val_list = apply_views(
        views, list(datasets["validation"]["text"]), list(datasets["validation"]["stance"])
    )
    y_val = np.asarray(y_val_list)
    tfidf = TfidfBaseline().fit(train_x, y_train, val_x, y_val)
    saved_blend = predictor.spec.blend
    predictor.spec.blend = {}
    p_model = predictor.probabilities(val_x, prepared=val_x)
    predictor.spec.blend = saved_blend
    p_tfidf = tfidf.predict_proba(val_x)
    weight, score = choose_weight(p_model, p_tfidf, y_val)
    # A mixture of calibrated probabilities is not calibrated itself: one more temperature, on validation.
    temperature = fit_temperature(
        np.log(np.clip(weight * p_model + (1 - weight) * p_tfidf, 1e-9, None)), y_val
    )
    save_tfidf(tfidf.pipeline_, folder / BLEND_FILE)
    model_f1 = f1_score(y_val, p_model.argmax(1), average="macro")
    return {"weight": weight, "temperature": temperature, "file": BLEND_FILE, "C": tfidf.c_,
            "validation_macro_f1": round(score, 4),
            "validation_macro_f1_transformer": round(float(model_f1), 4),
            "validation_macro_f1_tfidf": round(float(tfidf.validation_macro_f1_ or 0), 4)}  # fmt: skip


class BlendPart:
    """The loaded TF-IDF part: preprocessed texts → probabilities in label order."""

    def __init__(self, folder: Path, weight: float, file: str = BLEND_FILE, temperature: float = 1.0) -> None:
        if file.endswith(".joblib"):  # models saved before tfidf.npz (a pickle: only from a trusted folder)
            import joblib

            self.pipeline = joblib.load(folder / file)
        else:
            self.pipeline = SavedTfidf(folder / file)
        self.weight = weight
        self.temperature = temperature

    def combine(self, p_model: np.ndarray, texts: list[str]) -> np.ndarray:
        """``w·p_model + (1−w)·p_tfidf``, recalibrated with the blend's own temperature."""
        return self.mix(p_model, self.probabilities(texts))

    def mix(self, p_model: np.ndarray, p_tfidf: np.ndarray) -> np.ndarray:
        """:meth:`combine` with the TF-IDF part's probabilities already computed."""
        mixed = self.weight * p_model + (1 - self.weight) * p_tfidf
        if self.temperature == 1.0:
            return mixed
        return softmax(np.log(np.clip(mixed, 1e-9, None)), self.temperature)

    def decided(self, p_tfidf: np.ndarray, partisan: Sequence[int], threshold: float) -> np.ndarray:
        """Rows whose stance and partisan flag no output of the transformer could change.

        The transformer holds weight ``w``, so each mixed probability lies in ``[(1−w)·p, (1−w)·p + w]``
        whatever it says. The stance is fixed when the TF-IDF part's leader is ahead of every other
        class by more than ``w`` there (the blend's temperature keeps the order). The flag is fixed
        when the partisan score's bounds over that box, after the temperature, lie on one side of the
        threshold: the box holds every mixture the transformer can produce, so the bounds are safe
        (and a little loose). Such posts need not be run through the network at all.
        """
        low = (1 - self.weight) * p_tfidf
        high = low + self.weight
        top2 = np.sort(low, axis=1)[:, -2:]
        stance_fixed = top2[:, 1] - top2[:, 0] > self.weight + 1e-9
        a = 1.0 / self.temperature
        other = [j for j in range(p_tfidf.shape[1]) if j not in set(partisan)]

        def share(num: np.ndarray, den: np.ndarray) -> np.ndarray:
            p_sum, o_sum = (num[:, partisan] ** a).sum(1), (den[:, other] ** a).sum(1)
            return p_sum / np.maximum(p_sum + o_sum, 1e-300)

        flag_fixed = (share(low, high) >= threshold + 1e-9) | (share(high, low) < threshold - 1e-9)
        return stance_fixed & flag_fixed

    def probabilities(self, texts: list[str]) -> np.ndarray:
        proba = self.pipeline.predict_proba(texts)
        out = np.zeros((len(texts), 4))
        for j, c in enumerate(self.pipeline.classes_):
            out[:, int(c)] = proba[:, j]
        return out
