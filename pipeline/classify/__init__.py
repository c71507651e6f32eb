"""The stance classifier: backbone, corpus, training, evaluation, batched inference (issue 4).

Heavy modules (torch, transformers) load only when a function that needs them is called.
"""

from __future__ import annotations

from typing import Any


def classify_posts(settings, engine, progress: bool = False, **kwargs: Any) -> dict[str, Any]:
    """Predictions for stored posts that the current default model has not classified yet."""
    from .store import classify_posts as _classify_posts

    return _classify_posts(settings, engine, progress=progress, **kwargs)


__all__ = ["classify_posts"]
