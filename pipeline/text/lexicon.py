"""Slang and alay lexicons (word → standard Indonesian), read offline from the packages that ship them.

Three are supported so that their effect can be measured side by side (docs/classifier.md):

- ``indonlp``: indoNLP's copy of the Colloquial Indonesian Lexicon (kamus alay, Salsabila et al. 2018),
  MIT, installed with Netra.
- ``basa``: basa's hand-curated slang table (pronouns, negation, Gen-Z slang, Javanese/Sundanese
  particles), MIT; optional (``pip install basa``).
- ``indo-normalizer``: indo-normalizer's ``corpus/slangs.csv``, MIT; optional. Read straight from the
  package folder: importing the package would print to stdout and pull in rapidfuzz.

Only single-word keys are used: the normaliser works token by token.
"""

from __future__ import annotations

import csv
import importlib.util
from functools import lru_cache
from pathlib import Path

LEXICONS = ("indonlp", "basa", "indo-normalizer")

# Never rewritten, whatever a lexicon says: words that carry the stance or the ballot number.
PROTECTED = frozenset(
    [
        "no",
        "nomor",
        "nomer",
        "paslon",
        "calon",
        "coblos",
        "pilih",
        "menang",
        "kalah",
        "salam",
        "jari",
        "dua",
        "tiga",
        "satu",
        "empat",
        "lima",
        "pak",
        "bu",
        "bang",
        "mas",
        "mbak",
        "kak",
        "abang",
    ]
)


class LexiconError(RuntimeError):
    pass


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise LexiconError(f"slang lexicon needs the {name!r} package: pip install {name.replace('_', '-')}")
    return Path(next(iter(spec.submodule_search_locations)))


def _indonlp() -> dict[str, str]:
    try:
        from indoNLP.preprocessing.slang_data import SLANG_DATA
    except ImportError as exc:  # pragma: no cover - indonlp is a dependency
        raise LexiconError("slang lexicon 'indonlp' needs the indonlp package") from exc
    return dict(SLANG_DATA)


def _basa() -> dict[str, str]:
    _package_dir("basa")
    from basa.core.slang import _DEFAULT_SLANG

    return dict(_DEFAULT_SLANG)


def _indo_normalizer() -> dict[str, str]:
    path = _package_dir("indo_normalizer") / "corpus" / "slangs.csv"
    with path.open(encoding="utf-8") as fh:
        return {row["slang"]: row["formal"] for row in csv.DictReader(fh) if row.get("slang")}


@lru_cache(maxsize=8)
def load_lexicon(name: str) -> dict[str, str]:
    """A lowercase single-word lexicon; ``name`` may join several with ``+`` (first one wins)."""
    merged: dict[str, str] = {}
    for part in reversed(name.split("+")):
        loader = {"indonlp": _indonlp, "basa": _basa, "indo-normalizer": _indo_normalizer}.get(part)
        if loader is None:
            raise LexiconError(f"unknown slang lexicon {part!r}; choose from {', '.join(LEXICONS)}")
        for key, value in loader().items():
            k = key.strip().lower()
            if k and " " not in k and k not in PROTECTED and value and value.strip():
                merged[k] = value.strip()
    return merged
