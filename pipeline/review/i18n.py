"""The review app's words, in Bahasa Indonesia (the reviewers' language, the default) and English.

Translations are data (``translations/<lang>.json``), so a reviewer can fix a phrase without reading
Python. A key missing in one language falls back to Indonesian, then to the key itself, so a gap
shows up as an odd word on screen rather than an error; ``tests/test_review_app.py`` checks that
both files have the same keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("id", "en")
DEFAULT = "id"
_DIR = Path(__file__).resolve().parent / "translations"


@cache
def catalog(lang: str) -> dict[str, str]:
    """All strings of one language (cached; the files are part of the package)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return json.loads((_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def translator(lang: str) -> Callable[..., str]:
    """``t("key", name=...)``: the string for ``key`` in ``lang``, with ``{name}`` placeholders filled."""
    lang = lang if lang in LANGUAGES else DEFAULT
    strings, fallback = catalog(lang), catalog(DEFAULT)

    def t(key: str, **values: Any) -> str:
        text = strings.get(key) or fallback.get(key) or key
        return text.format(**values) if values else text

    return t


def label(lang: str, field: str, value: str | None) -> str:
    """The display name of one label value (``stance``/``support`` → "dukung")."""
    if value is None:
        return "–"
    return translator(lang)(f"{field}.{value}")
