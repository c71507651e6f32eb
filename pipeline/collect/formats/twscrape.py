"""twscrape's JSON (``tweet.json()`` per line, e.g. ``twscrape search ... > tweets.jsonl``).

twscrape keeps snscrape's Tweet shape and ``_type`` tag on purpose, with differences this parser
absorbs: dates are ``str(datetime)`` (``2024-11-20 08:15:00+00:00``, a space instead of ``T``), ids
also come as ``id_str``, bookmarks are ``bookmarkedCount``, mentioned users are UserRef objects
(id, id_str, username, displayname), and ``media`` is one object rather than a list.
"""

from __future__ import annotations

from typing import Any

from pipeline.schema import Post, RecordError

from ._common import need_dict
from .snscrape import TWEET, tweet_to_post

_TWSCRAPE_KEYS = ("bookmarkedCount", "id_str", "conversationIdStr")


def looks_like_twscrape(record: dict[str, Any]) -> bool:
    """True for a twscrape tweet: its own field names, or a space-separated date."""
    if any(k in record for k in _TWSCRAPE_KEYS):
        return True
    date = record.get("date")
    return isinstance(date, str) and len(date) > 10 and date[10] == " "


def parse_twscrape(record: dict[str, Any]) -> Post:
    need_dict(record)
    kind = record.get("_type", TWEET)
    if kind != TWEET:
        raise RecordError("_type", f"unsupported twscrape item type {str(kind)[:80]!r} (tweets only)")
    return tweet_to_post(record)
