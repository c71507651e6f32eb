"""The ASN registry: NIP decoding, names and titles, registry import, account matching.

Entry points for other stages: :func:`match_authors` (the nightly scan's matching stage) and
:func:`pipeline.registry.feedback.record_feedback` (the review app's verdicts on a match).
"""

from __future__ import annotations

from typing import Any


def match_authors(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """See :func:`pipeline.registry.authors.match_authors` (imported lazily: Splink is heavy)."""
    from .authors import match_authors as _match_authors

    return _match_authors(*args, **kwargs)


__all__ = ["match_authors"]
