"""A blend of the transformer with the TF-IDF model: the two make different mistakes.

The fine-tuned encoder generalises over phrasing and regional languages; character n-grams catch
spelling variants, slogans and cue words the small encoder misses. Their calibrated probabilities are
averaged with one weight ``w`` (``w·transformer + (1−w)·TF-IDF``) chosen on validation macro-F1, on the
model's own preprocessed text (normalised, candidates masked). The TF-IDF part is stored beside the
adapter (``tfidf.joblib``, compressed) and costs little at inference (about a millisecond a post).
Evaluation reports the transformer alone, the TF-IDF model alone and the blend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from .calibrate import fit_temperature, softmax

BLEND_FILE = "tfidf.joblib"
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
    import joblib

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
    joblib.dump(tfidf.pipeline_, folder / BLEND_FILE, compress=3)
    model_f1 = f1_score(y_val, p_model.argmax(1), average="macro")
    return {"weight": weight, "temperature": temperature, "file": BLEND_FILE, "C": tfidf.c_,
            "validation_macro_f1": round(score, 4),
            "validation_macro_f1_transformer": round(float(model_f1), 4),
            "validation_macro_f1_tfidf": round(float(tfidf.validation_macro_f1_ or 0), 4)}  # fmt: skip


class BlendPart:
    """The loaded TF-IDF part: preprocessed texts → probabilities in label order."""

    def __init__(self, folder: Path, weight: float, file: str = BLEND_FILE, temperature: float = 1.0) -> None:
        import joblib

        self.pipeline = joblib.load(folder / file)
        self.weight = weight
        self.temperature = temperature

    def combine(self, p_model: np.ndarray, texts: list[str]) -> np.ndarray:
        """``w·p_model + (1−w)·p_tfidf``, recalibrated with the blend's own temperature."""
        mixed = self.weight * p_model + (1 - self.weight) * self.probabilities(texts)
        if self.temperature == 1.0:
            return mixed
        return softmax(np.log(np.clip(mixed, 1e-9, None)), self.temperature)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        proba = self.pipeline.predict_proba(texts)
        out = np.zeros((len(texts), 4))
        for j, c in enumerate(self.pipeline.classes_):
            out[:, int(c)] = proba[:, j]
        return out
