"""Temperature scaling (Guo et al. 2017) and calibration error.

One scalar T divides the logits; it is fitted on the validation split by minimising the negative
log-likelihood, so a score of 0.8 means roughly "right 8 times in 10" and the review queue's
thresholds mean something. T changes no argmax: accuracy and F1 are untouched.
"""

from __future__ import annotations

import itertools

import numpy as np
import torch


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0) -> float:
    p = softmax(np.asarray(logits, dtype=np.float64), temperature)
    return float(-np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, None)).mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray, max_iter: int = 200) -> float:
    """The T > 0 minimising validation NLL (optimised as log T so it stays positive)."""
    if len(labels) == 0:
        return 1.0
    x = torch.tensor(np.asarray(logits), dtype=torch.float64)
    y = torch.tensor(np.asarray(labels), dtype=torch.long)
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(x / log_t.exp(), y)
        loss.backward()
        return loss

    opt.step(closure)
    t = float(log_t.exp().item())
    return t if np.isfinite(t) and 0.01 < t < 100 else 1.0


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> dict[str, list[float]]:
    """Per confidence bin: mean confidence, accuracy and count (top-label calibration)."""
    conf = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(float)
    edges = np.linspace(0, 1, bins + 1)
    out: dict[str, list[float]] = {"confidence": [], "accuracy": [], "count": [], "lower": [], "upper": []}
    for lo, hi in itertools.pairwise(edges):
        sel = (conf > lo) & (conf <= hi)
        out["lower"].append(float(lo))
        out["upper"].append(float(hi))
        out["count"].append(int(sel.sum()))
        out["confidence"].append(float(conf[sel].mean()) if sel.any() else float("nan"))
        out["accuracy"].append(float(correct[sel].mean()) if sel.any() else float("nan"))
    return out


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """ECE: the count-weighted gap between confidence and accuracy over equal-width bins."""
    r = reliability(probs, labels, bins)
    n = max(1, len(labels))
    return float(
        sum(
            c / n * abs(a - f)
            for c, a, f in zip(r["count"], r["accuracy"], r["confidence"], strict=True)
            if c
        )
    )
