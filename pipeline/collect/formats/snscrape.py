"""snscrape's JSONL (``snscrape --jsonl ...``): one item per line, tagged with its ``_type``.

Field names follow snscrape 0.7's dataclasses (snscrape/modules/*.py), including the deprecated
aliases its writer adds (``content``, ``outlinks``, ``username``), and the fields newer development
versions write (Telegram ``channel``/``views``/``forwardedUrl``, Mastodon counts) when present.

``Post.raw`` keeps the record minus null fields and minus the deprecated aliases that only repeat
another field (``content`` = ``rawContent``, ``outlinks`` = ``links[].url``, ...): nothing is lost,
and the stored copy is about a third smaller, which matters at millions of rows.
"""

from __future__ import annotations

from typing import Any

from pipeline.collect.text_utils import (
    bounded_id,
    clean_handle,
    clean_hashtag,
    extract_hashtags,
    extract_mentions,
    html_to_text,
)
from pipeline.schema import Author, Metrics, Post, RecordError

from ._common import need_dict, opt_dict, opt_id, opt_int, opt_list, opt_str, parse_iso, req_id, req_str
from .mastodon import boost_post_id, mastodon_post_id, split_account

TWEET = "snscrape.modules.twitter.Tweet"

# Deprecated properties snscrape's writer adds next to the fields they are computed from.
_TWEET_ALIASES = frozenset({"content", "username", "outlinks", "outlinksss", "tcooutlinks", "tcooutlinksss"})
_USER_ALIASES = frozenset({"descriptionUrls", "linkUrl", "linkTcourl", "description", "url"})


def compact(record: dict[str, Any], aliases: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The record without null fields and without ``aliases`` (shallow: nested records stay whole)."""
    out = {k: v for k, v in record.items() if v is not None}
    for key in aliases:
        out.pop(key, None)
    return out


def _compact_user(user: Any) -> Any:
    return compact(user, _USER_ALIASES) if isinstance(user, dict) else user


def compact_tweet(record: dict[str, Any]) -> dict[str, Any]:
    """A tweet without nulls and aliases, down into its user, mentioned users and nested tweets."""
    out = compact(record, _TWEET_ALIASES)
    if "user" in out:
        out["user"] = _compact_user(out["user"])
    if "inReplyToUser" in out:
        out["inReplyToUser"] = _compact_user(out["inReplyToUser"])
    mentioned = out.get("mentionedUsers")
    if isinstance(mentioned, list):
        out["mentionedUsers"] = [_compact_user(u) for u in mentioned]
    for key in ("quotedTweet", "retweetedTweet"):
        if isinstance(out.get(key), dict):
            out[key] = compact_tweet(out[key])
    return out


def _int_field(record: dict[str, Any], key: str) -> int | None:
    value = record.get(key)
    if value is None or type(value) is int:
        return value
    return opt_int(value, key)


# ---------------------------------------------------------------------------------------------- X


def _fast_id(value: Any, name: str) -> str:
    if type(value) is int:
        return str(value)
    if type(value) is str and value:
        return value
    return req_id(value, name)


def _str_or_none(value: Any, name: str) -> str | None:
    return value if value is None or type(value) is str else opt_str(value, name)


def tweet_to_post(record: dict[str, Any]) -> Post:
    """A Tweet as snscrape or twscrape writes it (twscrape is the same shape with a few extra fields).

    Written for speed (file imports run it millions of times): the common, well-formed case takes
    the short branches; anything unusual falls through to the checked readers in ``_common``.
    """
    get = record.get
    pid = get("id_str") or get("id")
    post_id = _fast_id(pid, "id")
    created_at = parse_iso(get("date"), "date")
    text = get("rawContent")
    if type(text) is not str:
        if text is None:
            text = get("content")
            if text is None:
                raise RecordError("rawContent", "missing")
        if not isinstance(text, str):
            raise RecordError("rawContent", f"expected text, got {type(text).__name__}")

    user = get("user")
    if user is None:
        author = Author(handle=clean_handle(get("username")))
    else:
        if type(user) is not dict:
            raise RecordError("user", f"expected an object, got {type(user).__name__}")
        uget = user.get
        uid = uget("id_str") or uget("id")
        handle = uget("username")
        if type(handle) is not str or handle[:1] in ("@", " ") or not handle:
            handle = clean_handle(handle)
        bio = uget("rawDescription")
        if bio is None:
            bio = uget("renderedDescription") or uget("description")
        author = Author(
            platform_id=_fast_id(uid, "user.id") if uid is not None else None,
            handle=handle,
            display_name=_str_or_none(uget("displayname"), "user.displayname"),
            bio=_str_or_none(bio, "user.rawDescription"),
            location=_str_or_none(uget("location"), "user.location") or None,
            followers=_int_field(user, "followersCount"),
        )

    hashtags = get("hashtags")
    if hashtags:
        if type(hashtags) is not list:
            raise RecordError("hashtags", "expected a list")
        hashtags = [h if h[:1] != "#" else clean_hashtag(h) for h in hashtags if type(h) is str]
    else:
        hashtags = []
    mentions = []
    mentioned = get("mentionedUsers")
    if mentioned:
        if type(mentioned) is not list:
            raise RecordError("mentionedUsers", f"expected a list, got {type(mentioned).__name__}")
        for m in mentioned:
            handle = clean_handle(m.get("username")) if type(m) is dict else clean_handle(m)
            if handle:
                mentions.append(handle)
    links = []
    for link in opt_list(record, "links"):
        url = link.get("url") if type(link) is dict else link
        if type(url) is str and url:
            links.append(url)
    if not links and type(get("outlinks")) is list:  # snscrape < 0.5 wrote only outlinks
        links = [u for u in record["outlinks"] if type(u) is str]

    url = get("url")
    if not url and author.handle:
        url = f"https://x.com/{author.handle}/status/{post_id}"
    reply_to = get("inReplyToTweetIdStr") or get("inReplyToTweetId")
    counts = [get(k) for k in _COUNTS]
    for i, v in enumerate(counts):
        if v is not None and type(v) is not int:
            counts[i] = opt_int(v, _COUNTS[i])

    return Post(
        platform="x",
        post_id=post_id,
        created_at=created_at,
        text=text,
        url=url,
        language=get("lang"),
        author=author,
        metrics=Metrics(*counts),
        hashtags=hashtags,
        mentions=mentions,
        links=links,
        reply_to_id=str(reply_to) if type(reply_to) is int else opt_id(reply_to, "inReplyToTweetId"),
        quote_of_id=_nested_id(get("quotedTweet"), "quotedTweet"),
        repost_of_id=_nested_id(get("retweetedTweet"), "retweetedTweet"),
        raw=compact_tweet(record),
    )


_COUNTS = ("replyCount", "retweetCount", "likeCount", "quoteCount", "viewCount")  # Metrics' field order


def _nested_id(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordError(name, f"expected an object, got {type(value).__name__}")
    return opt_id(value.get("id_str") or value.get("id"), f"{name}.id")


# --------------------------------------------------------------------------------------- Telegram


def telegram_post_id(url: str, name: str = "url") -> tuple[str, str]:
    """``https://t.me/s/channel/123`` -> (``channel/123``, ``channel``): the id all Telegram sources share."""
    path = url.split("://", 1)[-1]
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if parts and parts[0] in ("t.me", "telegram.me", "www.t.me"):
        parts = parts[1:]
    if parts and parts[0] == "s":
        parts = parts[1:]
    if len(parts) < 2 or not parts[-1].isdigit():
        raise RecordError(name, f"not a Telegram post URL: {url[:80]!r}")
    return f"{parts[0]}/{parts[-1]}", parts[0]


def parse_telegram_post(record: dict[str, Any]) -> Post:
    url = req_str(record, "url")
    post_id, channel_name = telegram_post_id(url)
    created_at = parse_iso(record.get("date"), "date")
    text = opt_str(record.get("content"), "content") or ""
    channel = opt_dict(record, "channel") or {}
    links = [u for u in opt_list(record, "outlinks") if isinstance(u, str)]
    forwarded_url = record.get("forwardedUrl")
    return Post(
        platform="telegram",
        post_id=post_id,
        created_at=created_at,
        text=text,
        url=url,
        author=Author(
            platform_id=opt_id(channel.get("id"), "channel.id") or channel_name,
            handle=clean_handle(channel.get("username")) or channel_name,
            display_name=opt_str(channel.get("title"), "channel.title"),
            bio=opt_str(channel.get("description"), "channel.description"),
            followers=_int_field(channel, "members"),
        ),
        metrics=Metrics(views=_int_field(record, "views")),
        hashtags=extract_hashtags(text),
        mentions=extract_mentions(text),
        links=links,
        repost_of_id=telegram_post_id(forwarded_url, "forwardedUrl")[0] if forwarded_url else None,
        raw=compact(record, frozenset({"outlinksss"})),
    )


# --------------------------------------------------------------------------------------- Mastodon


def parse_toot(record: dict[str, Any]) -> Post:
    url = req_str(record, "url")
    created_at = parse_iso(record.get("date"), "date")
    user = opt_dict(record, "user")
    if user is None:
        raise RecordError("user", "missing")
    handle = split_account(req_str(user, "account", "user.account"))
    if "content" in record and record["content"] is not None:  # HTML, as development versions write
        text = html_to_text(opt_str(record["content"], "content"))
    else:
        text = opt_str(record.get("text"), "text") or ""
        spoiler = opt_str(record.get("spoilerText"), "spoilerText")
        if spoiler:
            text = f"{text}\n\n{spoiler}" if text else spoiler
    hashtags = [clean_hashtag(h) for h in opt_list(record, "hashtags") if isinstance(h, str)]
    mentions = []
    for m in opt_list(record, "mentionedUsers"):
        acct = m.get("account") if isinstance(m, dict) else m
        if isinstance(acct, str) and acct:
            mentions.append(split_account(acct))
    return Post(
        platform="mastodon",
        post_id=mastodon_post_id(url=url, uri=None, local_id=record.get("id"), instance=None),
        created_at=created_at,
        text=text,
        url=url,
        author=Author(
            platform_id=handle,
            handle=handle,
            display_name=opt_str(user.get("displayName"), "user.displayName"),
            bio=opt_str(user.get("note") or user.get("description"), "user.note"),
            followers=_int_field(user, "followersCount"),
        ),
        metrics=Metrics(
            replies=_int_field(record, "repliesCount"),
            reposts=_int_field(record, "reblogsCount"),
            likes=_int_field(record, "favouritesCount"),
        ),
        hashtags=hashtags or extract_hashtags(text),
        mentions=mentions or extract_mentions(text),
        links=[u for u in opt_list(record, "links") if isinstance(u, str)],
        raw=compact(record),
    )


def parse_boost(record: dict[str, Any]) -> Post:
    """A boost has no id of its own: it is (booster, original toot); the text is the original's."""
    user = opt_dict(record, "user")
    toot = opt_dict(record, "toot")
    if user is None:
        raise RecordError("user", "missing")
    if toot is None:
        raise RecordError("toot", "missing")
    try:
        original = parse_toot(toot)
    except RecordError as exc:
        raise RecordError(f"toot.{exc.field}", exc.reason) from None
    booster = split_account(req_str(user, "account", "user.account"))
    date = record.get("date")
    return Post(
        platform="mastodon",
        post_id=boost_post_id(booster, original.post_id),
        created_at=parse_iso(date, "date") if date else original.created_at,
        text=original.text,
        url=original.url,
        author=Author(
            platform_id=booster,
            handle=booster,
            display_name=opt_str(user.get("displayName"), "user.displayName"),
        ),
        metrics=original.metrics,
        hashtags=original.hashtags,
        mentions=original.mentions,
        links=original.links,
        repost_of_id=original.post_id,
        raw=compact(record),
    )


# ----------------------------------------------------------------------------------------- Reddit


def _reddit_fullname(value: Any, prefix: str, name: str) -> str:
    rid = req_id(value, name)
    return rid if rid[:3] in ("t1_", "t3_") else prefix + rid


def parse_reddit(record: dict[str, Any], kind: str) -> Post:
    """Submissions and comments share one id space on the site only with their ``t3_``/``t1_`` prefix."""
    is_submission = kind == "Submission"
    post_id = _reddit_fullname(record.get("id"), "t3_" if is_submission else "t1_", "id")
    created_at = parse_iso(record.get("date") or record.get("created"), "date")
    if is_submission:
        title = opt_str(record.get("title"), "title") or ""
        body = opt_str(record.get("selftext"), "selftext") or ""
        text = f"{title}\n\n{body}" if body else title
        link = record.get("link")
        links = [link] if isinstance(link, str) and link and link != record.get("url") else []
        reply_to = None
    else:
        text = opt_str(record.get("body"), "body")
        if text is None:
            raise RecordError("body", "missing")
        links = []
        parent = record.get("parentId")
        reply_to = _reddit_fullname(parent, "t3_", "parentId") if parent else None
    author = clean_handle(opt_str(record.get("author"), "author"))
    if author in ("[deleted]", "[removed]"):
        author = None
    return Post(
        platform="reddit",
        post_id=post_id,
        created_at=created_at,
        text=text,
        url=opt_str(record.get("url"), "url"),
        author=Author(platform_id=author, handle=author),
        hashtags=extract_hashtags(text),
        mentions=[m.removeprefix("u/") for m in extract_mentions(text)],
        links=links,
        reply_to_id=reply_to,
        raw=compact(record, frozenset({"created"})),
    )


# ----------------------------------------------------------------------------- Facebook, Instagram


def _url_path(url: str) -> list[str]:
    path = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    return [p for p in path.split("/")[1:] if p]


def parse_facebook(record: dict[str, Any]) -> Post:
    url = record.get("cleanUrl") or record.get("url")
    if not isinstance(url, str) or not url:
        raise RecordError("cleanUrl", "missing")
    parts = _url_path(url)
    if not parts:
        raise RecordError("cleanUrl", f"not a Facebook post URL: {url[:80]!r}")
    text = opt_str(record.get("content"), "content") or ""
    handle = clean_handle(record.get("username")) or (parts[0] if len(parts) > 1 else None)
    return Post(
        platform="facebook",
        post_id=bounded_id("/".join(parts)),
        created_at=parse_iso(record.get("date"), "date"),
        text=text,
        url=url,
        author=Author(platform_id=handle, handle=handle),
        metrics=Metrics(
            likes=_int_field(record, "likes"),
            replies=_int_field(record, "comments"),
            reposts=_int_field(record, "shares"),
        ),
        hashtags=extract_hashtags(text),
        mentions=extract_mentions(text),
        links=[u for u in opt_list(record, "outlinks") if isinstance(u, str)],
        raw=compact(record, frozenset({"outlinksss"})),
    )


def parse_instagram(record: dict[str, Any]) -> Post:
    url = req_str(record, "url")
    parts = _url_path(url)
    if len(parts) < 2 or parts[-2] not in ("p", "reel", "tv"):
        raise RecordError("url", f"not an Instagram post URL: {url[:80]!r}")
    text = opt_str(record.get("content"), "content") or ""
    handle = clean_handle(opt_str(record.get("username"), "username"))
    return Post(
        platform="instagram",
        post_id=parts[-1],
        created_at=parse_iso(record.get("date"), "date"),
        text=text,
        url=url,
        author=Author(platform_id=handle, handle=handle),
        metrics=Metrics(likes=_int_field(record, "likes"), replies=_int_field(record, "comments")),
        hashtags=extract_hashtags(text),
        mentions=extract_mentions(text),
        raw=compact(record),
    )


# ------------------------------------------------------------------------------------- dispatcher

_BY_TYPE = {
    TWEET: tweet_to_post,
    "snscrape.modules.telegram.TelegramPost": parse_telegram_post,
    "snscrape.modules.mastodon.Toot": parse_toot,
    "snscrape.modules.mastodon.Boost": parse_boost,
    "snscrape.modules.reddit.Submission": lambda r: parse_reddit(r, "Submission"),
    "snscrape.modules.reddit.Comment": lambda r: parse_reddit(r, "Comment"),
    "snscrape.modules.facebook.FacebookPost": parse_facebook,
    "snscrape.modules.instagram.InstagramPost": parse_instagram,
}
SUPPORTED_TYPES = tuple(_BY_TYPE)


def parse_snscrape(record: dict[str, Any]) -> Post:
    """One snscrape JSONL item to a Post; RecordError for an unknown ``_type`` or a bad field."""
    need_dict(record)
    kind = record.get("_type")
    parser = _BY_TYPE.get(kind)  # type: ignore[arg-type]
    if parser is None:
        if kind is None:
            raise RecordError("_type", "missing (not an snscrape item)")
        raise RecordError("_type", f"unsupported snscrape item type {str(kind)[:80]!r}")
    return parser(record)
