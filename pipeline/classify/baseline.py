"""The scikit-learn baseline every transformer is compared with: TF-IDF n-grams + logistic regression.

Word 1–2-grams and character 2–5-grams (within word boundaries, which absorb much of the spelling
variation of informal Indonesian), a class-balanced logistic regression, and C chosen on validation
macro-F1. Cheap to train (seconds), and the bar the transformer must clear "clearly".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import f1_score


@dataclass
class TfidfBaseline:
    """``fit(texts, labels, val_texts, val_labels)`` → ``predict_proba(texts)``."""

    c_grid: Sequence[float] = (0.3, 1.0, 3.0, 10.0, 30.0)
    seed: int = 13
    pipeline_: object | None = field(default=None, init=False)
    c_: float | None = field(default=None, init=False)
    validation_macro_f1_: float | None = field(default=None, init=False)

    def _make(self, c: float):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        features = FeatureUnion(
            [
                (
                    "word",
                    TfidfVectorizer(
                        analyzer="word",
                        ngram_range=(1, 2),
                        min_df=1,
                        sublinear_tf=True,
                        lowercase=True,
                        token_pattern=r"(?u)\b\w+\b",
                    ),
                ),
                (
                    "char",
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, lowercase=True
                    ),
                ),
            ]
        )
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=self.seed)
        return make_pipeline(features, clf)

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[int],
        val_texts: Sequence[str] = (),
        val_labels: Sequence[int] = (),
    ) -> TfidfBaseline:
        texts, labels = list(texts), np.asarray(labels)
        best = (-1.0, self.c_grid[0])
        if len(val_texts):
            for c in self.c_grid:
                pred = self._make(c).fit(texts, labels).predict(list(val_texts))
                score = f1_score(val_labels, pred, average="macro", zero_division=0)
                best = max(best, (score, c), key=lambda b: b[0])
        self.c_ = best[1]
        self.validation_macro_f1_ = best[0] if best[0] >= 0 else None
        self.pipeline_ = self._make(self.c_).fit(texts, labels)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if self.pipeline_ is None:
            raise RuntimeError("fit the baseline first")
        model = self.pipeline_
        proba = model.predict_proba(list(texts))
        # Columns in label order even when a label was missing from training.
        classes = list(model.classes_)
        out = np.zeros((len(proba), 4))
        for j, c in enumerate(classes):
            out[:, int(c)] = proba[:, j]
        return out
