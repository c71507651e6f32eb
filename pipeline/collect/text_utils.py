"""Small text helpers every collector shares: HTML to plain text, hashtags and mentions, handles, ids.

``html_to_text`` exists because the obvious tools get one thing wrong that matters here: BeautifulSoup's
``.text`` and naive tag stripping glue ``…@calonA<br>Info`` into ``@calonAInfo``, one word, which
breaks mention detection and tokenisation downstream. Line-breaking tags become ``"\\n"`` instead.
Regular expressions rather than an HTML parser: the inputs (Mastodon's sanitised status HTML,
Telegram's message widget) are machine-written and regular, and this runs once per post.
"""

from __future__ import annotations

import hashlib
import html
import re

_DROP = re.compile(r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_BR = re.compile(r"<br\s*/?>", re.I)
# Closing (or opening) a block-level element starts a new line.
_BLOCK = re.compile(
    r"</?(?:p|div|li|ul|ol|blockquote|pre|h[1-6]|tr|table|section|article|header|footer)\b[^>]*>", re.I
)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_SPACE_AROUND_NEWLINE = re.compile(r" *\n *")


def html_to_text(value: str | None) -> str:
    """Plain text from an HTML fragment: ``<br>`` is a line break, paragraphs are separated by a blank
    line (as snscrape joins Mastodon paragraphs), entities are decoded.

    >>> html_to_text("<p>Coblos @calonA<br>Info lengkap</p><p>#BAYUMenang &amp; ok</p>")
    'Coblos @calonA\\nInfo lengkap\\n\\n#BAYUMenang & ok'
    """
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return value.strip()
    text = _DROP.sub("", value)
    text = _BR.sub("\n", text)
    text = _BLOCK.sub("\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


# A hashtag starts after a non-word character; Indonesian tags use letters, digits and underscores
# (#01Menang, #HERAJilid2). Mentions: @handle, optionally @user@instance.social for the fediverse.
_HASHTAG = re.compile(r"(?<![\w#&])#(\w+)")
_MENTION = re.compile(r"(?<![\w@/])@([A-Za-z0-9_][A-Za-z0-9_.]*(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?)")


def extract_hashtags(text: str) -> list[str]:
    """Hashtags in order of appearance, without ``#``, duplicates dropped (case kept as written)."""
    if "#" not in text:
        return []
    return list(dict.fromkeys(m for m in _HASHTAG.findall(text) if not m.isdigit()))


def extract_mentions(text: str) -> list[str]:
    """@-mentions in order of appearance, without ``@``, duplicates dropped."""
    if "@" not in text:
        return []
    return list(dict.fromkeys(m.rstrip(".") for m in _MENTION.findall(text)))


def clean_hashtag(tag: str) -> str:
    return tag.strip().lstrip("#")


def clean_handle(handle: str | None) -> str | None:
    """A handle without the leading ``@`` (``@budi@mastodon.social`` -> ``budi@mastodon.social``)."""
    if handle is None:
        return None
    handle = str(handle).strip().lstrip("@")
    return handle or None


MAX_ID_LENGTH = 100  # posts.post_id and the author id columns are VARCHAR(100)


def bounded_id(value: str, limit: int = MAX_ID_LENGTH) -> str:
    """Keep an identifier within the column width: long ones keep a readable prefix plus a digest."""
    if len(value) <= limit:
        return value
    digest = hashlib.sha1(value.encode("utf-8")).hexdigest()
    return f"{value[: limit - len(digest) - 1]}~{digest}"
