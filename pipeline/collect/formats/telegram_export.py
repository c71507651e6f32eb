"""Telegram Desktop exports (Settings → Advanced → Export Telegram data → JSON): ``result.json``.

Two shapes: a single chat (``{"name", "type", "id", "messages": [...]}``) and a whole-account export
(``{"chats": {"list": [chat, ...]}, "left_chats": {...}}``); :func:`iter_messages` walks both.

The export has no usernames, only display names (``from``) and ids (``from_id``), so the author handle
stays empty and the post id is ``<chat id>/<message id>``. Times come from ``date_unixtime`` (UTC);
``date`` is the exporting computer's local wall-clock time and is only a fallback.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.collect.text_utils import clean_handle, clean_hashtag, extract_hashtags, extract_mentions
from pipeline.schema import Author, Metrics, Post, RecordError

from ._common import need_dict, opt_int, opt_str, parse_iso, parse_unix, req_id


def is_export(doc: Any) -> bool:
    return isinstance(doc, dict) and (
        isinstance(doc.get("messages"), list) or isinstance(doc.get("chats"), dict)
    )


def iter_chats(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if isinstance(doc.get("messages"), list):
        yield doc
    for key in ("chats", "left_chats"):
        section = doc.get(key)
        if isinstance(section, dict):
            for chat in section.get("list") or []:
                if isinstance(chat, dict) and isinstance(chat.get("messages"), list):
                    yield chat


def iter_messages(doc: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Any]]:
    """(chat, message) for every entry of every chat, service messages included (see is_service)."""
    for chat in iter_chats(doc):
        for message in chat["messages"]:
            yield chat, message


def is_service(message: Any) -> bool:
    """Joins, pins, title changes: not posts. File imports count them as skipped, not rejected."""
    return isinstance(message, dict) and message.get("type") == "service"


def flatten_text(text: Any) -> tuple[str, list[dict[str, Any]]]:
    """The export's ``text``: a string, or a list of strings and ``{type, text}`` entity objects."""
    if text is None:
        return "", []
    if isinstance(text, str):
        return text, []
    if not isinstance(text, list):
        raise RecordError("text", f"expected text or a list of entities, got {type(text).__name__}")
    parts: list[str] = []
    entities: list[dict[str, Any]] = []
    for piece in text:
        if isinstance(piece, str):
            parts.append(piece)
        elif isinstance(piece, dict) and isinstance(piece.get("text"), str):
            parts.append(piece["text"])
            entities.append(piece)
        else:
            raise RecordError("text", f"unexpected entity {str(piece)[:60]!r}")
    return "".join(parts), entities


def _entities(message: dict[str, Any], inline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    listed = message.get("text_entities")
    if isinstance(listed, list) and listed:
        return [e for e in listed if isinstance(e, dict)]
    return inline


def parse_message(
    message: dict[str, Any], chat: dict[str, Any] | None = None, channel: str | None = None
) -> Post:
    """One exported message. ``channel``: the public username, if known, for ``channel/123`` ids
    that match what the live Telegram collector stores for the same post."""  # fmt: skip
    need_dict(message, "message")
    chat = chat or {}
    msg_id = req_id(message.get("id"), "id")
    if message.get("type", "message") != "message":
        raise RecordError("type", f"not a message ({str(message.get('type'))[:30]})")
    if message.get("date_unixtime") not in (None, ""):
        created_at = parse_unix(message["date_unixtime"], "date_unixtime")
    else:
        created_at = parse_iso(message.get("date"), "date")
    text, inline = flatten_text(message.get("text"))
    entities = _entities(message, inline)
    hashtags = [clean_hashtag(e["text"]) for e in entities if e.get("type") == "hashtag" and e.get("text")]
    mentions = [clean_handle(e["text"]) for e in entities if e.get("type") == "mention" and e.get("text")]
    links = []
    for e in entities:
        if e.get("type") == "link" and e.get("text"):
            links.append(e["text"])
        elif e.get("type") == "text_link" and e.get("href"):
            links.append(e["href"])
    chat_key = clean_handle(channel) if channel else opt_str(chat.get("id"), "chat.id") or "unknown"
    reactions = message.get("reactions")
    likes = None
    if isinstance(reactions, list):
        likes = sum(opt_int(r.get("count"), "reactions.count") or 0 for r in reactions if isinstance(r, dict))
    reply_to = message.get("reply_to_message_id")
    url = f"https://t.me/{chat_key}/{msg_id}" if channel else None
    raw = dict(message)
    raw["chat"] = {k: chat.get(k) for k in ("name", "type", "id") if chat.get(k) is not None}
    return Post(
        platform="telegram",
        post_id=f"{chat_key}/{msg_id}",
        created_at=created_at,
        text=text,
        url=url,
        author=Author(
            platform_id=opt_str(message.get("from_id"), "from_id"),
            handle=clean_handle(channel) if channel and chat.get("type", "").endswith("channel") else None,
            display_name=opt_str(message.get("from") or message.get("author"), "from"),
        ),
        metrics=Metrics(likes=likes),
        hashtags=hashtags or extract_hashtags(text),
        mentions=[m for m in mentions if m] or extract_mentions(text),
        links=links,
        reply_to_id=f"{chat_key}/{req_id(reply_to, 'reply_to_message_id')}" if reply_to else None,
        raw=raw,
    )
