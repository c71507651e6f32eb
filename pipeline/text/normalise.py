"""Normalisation of informal Indonesian social-media text, on spaCy's Indonesian tokenizer.

Every step is switchable because each was measured on the validation split (docs/classifier.md):
a step that does not help the classifier is turned off in the model's config, and the model records
the options it was trained with so that inference normalises exactly as training did.

spaCy's ``blank("id")`` pipeline is only a tokenizer (no statistical model, nothing to download); it is
built once per process because building it costs ~0.3 s and the nightly scan calls this millions of
times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

USER_PLACEHOLDER = "@user"
URL_PLACEHOLDER = "http"

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_ELONGATION = re.compile(r"([a-z])\1{2,}")
_EMOJI_NAME = re.compile(r":([a-z0-9_&'’.-]+):")
_SPACES = re.compile(r"\s+")
_MENTION = re.compile(r"^@\w{1,50}$")
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+\.[\w.]+$")


def _clean(text: str | None) -> str:
    """Drop emoji variation selectors, which spaCy would split off as tokens of their own."""
    return (text or "").replace("\ufe0f", "").replace("\ufe0e", "")


@lru_cache(maxsize=1)
def spacy_id():
    """spaCy's Indonesian tokenizer, built once per process."""
    import spacy

    return spacy.blank("id")


@dataclass(frozen=True)
class NormaliseOptions:
    """Which normalisation steps run.

    The defaults (every step but slang) make the readable ``posts.text_norm``; each trained model records
    its own choice, measured on validation (docs/classifier.md), and inference applies exactly that.
    """

    placeholders: bool = True  # @mentions → "@user", links → "http"
    emoji: bool = True  # emoji → Indonesian words ("💪" → "lengan berotot")
    hashtags: bool = True  # "#LanjutkanHendra" → "lanjutkan hendra"
    slang: str | None = None  # lexicon name: "indonlp", "basa", "indo-normalizer", or None
    elongation: bool = True  # "bangettt" → "banget" (letters repeated 3+ times → 1)
    lowercase: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> NormaliseOptions:
        return cls(**(data or {}))


def split_hashtag(tag: str) -> str:
    """``#LanjutkanHendra`` → ``lanjutkan hendra``; ``#02Lanjutkan`` → ``02 lanjutkan``.

    Camel case and letter/digit boundaries are the split points; an all-lowercase tag stays one word
    (guessing word boundaries without a dictionary splits names wrongly more often than rightly).
    """
    body = tag.lstrip("#")
    parts = _CAMEL.findall(body) or [body]
    return " ".join(p.lower() for p in parts)


@lru_cache(maxsize=4096)
def _emoji_words(char: str) -> str:
    import emoji

    name = emoji.demojize(char, language="id", delimiters=(":", ":"))
    if name == char:
        name = emoji.demojize(char, delimiters=(":", ":"))
    words = [m.replace("_", " ") for m in _EMOJI_NAME.findall(name)]
    return " ".join(words)


class TextNormaliser:
    """Turns raw post text into the text the classifier sees.

    ``transform`` takes an iterable of strings and returns a list; ``__call__`` does one string.
    Lexicons load lazily on first use, so constructing one is free.
    """

    def __init__(self, options: NormaliseOptions | None = None) -> None:
        self.options = options or NormaliseOptions()
        self._lexicon: dict[str, str] | None = None

    @property
    def lexicon(self) -> dict[str, str]:
        if self._lexicon is None:
            from .lexicon import load_lexicon

            self._lexicon = load_lexicon(self.options.slang) if self.options.slang else {}
        return self._lexicon

    def __call__(self, text: str) -> str:
        return self._normalise_doc(spacy_id()(_clean(text)))

    def transform(self, texts: Iterable[str]) -> list[str]:
        nlp = spacy_id()
        return [self._normalise_doc(doc) for doc in nlp.pipe((_clean(t) for t in texts), batch_size=256)]

    def _normalise_doc(self, doc) -> str:
        import emoji

        o = self.options
        lex = self.lexicon
        out: list[str] = []
        for tok in doc:
            text = tok.text
            if o.placeholders and (tok.like_url or _EMAIL.match(text)):
                text = URL_PLACEHOLDER
            elif o.placeholders and _MENTION.match(text):
                text = USER_PLACEHOLDER
            elif o.hashtags and text.startswith("#") and len(text) > 1:
                text = split_hashtag(text)
            # No emoji is ASCII; skipping emoji's own (slow) test for ASCII tokens saves ~40% here.
            elif not text.isascii() and text.strip() and emoji.purely_emoji(text):
                if o.emoji:
                    words = _emoji_words(text)
                    text = f" {words} " if words else ""
                elif text == "\u200d":
                    text = ""
            else:
                low = text.lower()
                if o.elongation and not low.isdigit():
                    squeezed = _ELONGATION.sub(r"\1", low)
                    if squeezed != low and low not in lex:
                        text, low = squeezed, squeezed
                if lex and low in lex:
                    text = lex[low]
            out.append(text + tok.whitespace_)
        result = _SPACES.sub(" ", "".join(out)).strip()
        return result.lower() if o.lowercase else result


def normalise(text: str, options: NormaliseOptions | None = None) -> str:
    """One text with the given (or default) options; for many texts build a TextNormaliser."""
    return TextNormaliser(options)(text)
