"""Mastodon REST API statuses (``GET /api/v1/timelines/tag/...``, ``/accounts/:id/statuses``).

The live Mastodon collector calls :func:`parse_status` on every status it fetches, and file imports
call it on saved API responses, so both paths store identical rows.

Identity: a status's ``id`` is local to the instance that served it; the same toot fetched through two
instances has two ids. The post id is therefore the status's canonical ``url`` without the scheme
(``mastodon.social/@budi/1135...``), the same on every instance, so federated copies collapse into one
post. Local accounts (``acct`` without a domain) are qualified with the serving instance.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.collect.text_utils import bounded_id, clean_handle, clean_hashtag, html_to_text
from pipeline.schema import Author, Metrics, Post, RecordError

from ._common import need_dict, opt_dict, opt_id, opt_int, opt_list, opt_str, parse_iso, req_id


def split_account(account: str) -> str:
    """``@budi@mastodon.social`` -> ``budi@mastodon.social`` (the handle form used everywhere)."""
    return clean_handle(account) or account


def _host(url: Any) -> str | None:
    if not isinstance(url, str) or "://" not in url:
        return None
    return url.split("://", 1)[1].split("/", 1)[0].lower() or None


def qualify(acct: str, instance: str | None) -> str:
    acct = split_account(acct)
    if "@" not in acct and instance:
        return f"{acct}@{instance}"
    return acct


def mastodon_post_id(url: Any, uri: Any, local_id: Any, instance: str | None) -> str:
    """The canonical URL without scheme; the ActivityPub URI, or ``instance/local id``, failing that."""
    for candidate in (url, uri):
        if isinstance(candidate, str) and "://" in candidate:
            return bounded_id(candidate.split("://", 1)[1].rstrip("/"))
    if local_id is not None and instance:
        return bounded_id(f"{instance}/{req_id(local_id, 'id')}")
    raise RecordError("url", "missing (needed to identify the status across instances)")


def boost_post_id(booster: str, original_post_id: str) -> str:
    return bounded_id(f"boost:{booster}:{original_post_id}")


_ANCHOR = re.compile(r"<a\s[^>]*>", re.I)
_HREF = re.compile(r'href="([^"]+)"', re.I)
_CLASS = re.compile(r'class="([^"]*)"', re.I)


def content_links(content: str) -> list[str]:
    """Outbound links in status HTML, without the mention and hashtag links Mastodon inserts."""
    links: list[str] = []
    for tag in _ANCHOR.findall(content):
        href = _HREF.search(tag)
        cls = _CLASS.search(tag)
        if not href or (cls and ("mention" in cls.group(1) or "hashtag" in cls.group(1))):
            continue
        if href.group(1) not in links:
            links.append(href.group(1))
    return links


def _bio(account: dict[str, Any]) -> str | None:
    """The profile note plus the profile's metadata fields (``Instansi: Dinas ...`` lives there)."""
    parts = []
    note = html_to_text(opt_str(account.get("note"), "account.note"))
    if note:
        parts.append(note)
    for f in opt_list(account, "fields"):
        if isinstance(f, dict) and f.get("name"):
            value = html_to_text(opt_str(f.get("value"), "account.fields.value"))
            parts.append(f"{f['name']}: {value}")
    return "\n".join(parts) or None


def _author(account: dict[str, Any], instance: str | None) -> Author:
    acct = account.get("acct") or account.get("username")
    if not isinstance(acct, str) or not acct:
        raise RecordError("account.acct", "missing")
    # A local account's acct has no domain: its profile URL's host is its home, else the serving host.
    handle = qualify(acct, _host(account.get("url")) or instance)
    return Author(
        platform_id=handle,
        handle=handle,
        display_name=opt_str(account.get("display_name"), "account.display_name") or None,
        bio=_bio(account),
        followers=opt_int(account.get("followers_count"), "account.followers_count"),
    )


def parse_status(status: dict[str, Any], instance: str | None = None) -> Post:
    """One Mastodon API status to a Post. ``instance`` is the host that served it (qualifies local ids).

    A boost (``reblog`` set) becomes its own post by the booster, carrying the original's text and
    metrics and pointing at it through ``repost_of_id``: boosting partisan content is itself a signal.
    """
    need_dict(status, "status")
    instance = instance.lower().removeprefix("https://").strip("/") if instance else None
    account = opt_dict(status, "account")
    if account is None:
        raise RecordError("account", "missing")
    created_at = parse_iso(status.get("created_at"), "created_at")
    reblog = status.get("reblog")
    if reblog is not None:
        if not isinstance(reblog, dict):
            raise RecordError("reblog", "expected an object")
        try:
            original = parse_status(reblog, instance)
        except RecordError as exc:
            raise RecordError(f"reblog.{exc.field}", exc.reason) from None
        booster = _author(account, instance)
        return Post(
            platform="mastodon",
            post_id=boost_post_id(booster.handle or "", original.post_id),
            created_at=created_at,
            text=original.text,
            url=original.url,
            language=original.language,
            author=booster,
            metrics=original.metrics,
            hashtags=original.hashtags,
            mentions=original.mentions,
            links=original.links,
            repost_of_id=original.post_id,
            raw=status,
        )

    url = status.get("url") or status.get("uri")
    served_by = instance or _host(url)
    content = opt_str(status.get("content"), "content") or ""
    text = html_to_text(content)
    spoiler = opt_str(status.get("spoiler_text"), "spoiler_text")
    if spoiler:
        text = f"{spoiler}\n\n{text}" if text else spoiler
    mentions = []
    for m in opt_list(status, "mentions"):
        acct = m.get("acct") if isinstance(m, dict) else None
        if isinstance(acct, str) and acct:
            mentions.append(qualify(acct, served_by))
    tags = [
        clean_hashtag(t["name"]) for t in opt_list(status, "tags") if isinstance(t, dict) and t.get("name")
    ]
    links = content_links(content)
    card = status.get("card")
    if isinstance(card, dict) and isinstance(card.get("url"), str) and card["url"] not in links:
        links.append(card["url"])
    in_reply_to = opt_id(status.get("in_reply_to_id"), "in_reply_to_id")
    return Post(
        platform="mastodon",
        post_id=mastodon_post_id(status.get("url"), status.get("uri"), status.get("id"), served_by),
        created_at=created_at,
        text=text,
        url=url if isinstance(url, str) else None,
        language=opt_str(status.get("language"), "language"),
        author=_author(account, served_by),
        metrics=Metrics(
            replies=opt_int(status.get("replies_count"), "replies_count"),
            reposts=opt_int(status.get("reblogs_count"), "reblogs_count"),
            likes=opt_int(status.get("favourites_count"), "favourites_count"),
        ),
        hashtags=tags,
        mentions=mentions,
        links=links,
        # The parent's id is local to the instance that served this status: kept as host:id.
        reply_to_id=bounded_id(f"{served_by}:{in_reply_to}") if in_reply_to and served_by else in_reply_to,
        raw=status,
    )
