"""Normalisation of informal Indonesian text and candidate mention detection (issue 4)."""

from .normalise import NormaliseOptions, TextNormaliser, normalise, spacy_id
from .store import normalise_posts

__all__ = ["NormaliseOptions", "TextNormaliser", "normalise", "normalise_posts", "spacy_id"]
