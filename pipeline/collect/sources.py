"""``configs/sources.yaml``: the live sources a nightly run collects from.

One list per kind of source. Every entry has a unique ``name`` (it keys the cursors and the
collection_runs rows, so renaming an entry starts it from scratch), ``enabled`` and ``max_items``
(a ceiling per channel, tag, account or query and per run, so a first run on a busy channel cannot
run all night). The models forbid unknown keys: a typo fails at start with the file, the key and
the reason (:class:`pipeline.config.ConfigError`), not at 3 a.m. halfway through a scan.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from pipeline.config import ConfigError, Section, Settings, parse_section, read_yaml

log = logging.getLogger(__name__)

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
# Telegram usernames: 5-32 characters, letters, digits and underscores, starting with a letter.
_TG_CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SourceEntry(Section):
    name: Name
    enabled: bool = False
    max_items: int = Field(2000, ge=1, le=1_000_000)

    kind: str = "base"  # overridden by each subclass as a Literal


class TelegramSource(SourceEntry):
    """Public Telegram channels, read from their web preview (``https://t.me/s/<channel>``)."""

    kind: Literal["telegram"] = "telegram"
    channels: list[str] = Field(default_factory=list)

    @field_validator("channels")
    @classmethod
    def _channel_names(cls, value: list[str]) -> list[str]:
        out = []
        for raw in value:
            name = raw.strip().removeprefix("@").removeprefix("https://t.me/s/").removeprefix("https://t.me/")
            if not _TG_CHANNEL.match(name):
                raise ValueError(f"{raw!r} is not a public channel name (5-32 letters, digits or _)")
            out.append(name)
        if len(set(n.lower() for n in out)) != len(out):
            raise ValueError("a channel is listed twice")
        return out


class MastodonSource(SourceEntry):
    """One Mastodon server's public REST API: hashtag timelines and accounts' statuses."""

    kind: Literal["mastodon"] = "mastodon"
    instance: str
    tags: list[str] = Field(default_factory=list)
    accounts: list[str] = Field(default_factory=list)
    access_token_env: str | None = None
    page_size: int = Field(40, ge=1, le=40)  # Mastodon caps `limit` at 40 statuses
    max_pages: int = Field(50, ge=1, le=10_000)  # per tag or account and per run
    local_only: bool = False  # tag timelines: only posts made on this server

    @field_validator("instance")
    @classmethod
    def _instance_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^/\s]+$", value):
            raise ValueError("must be the server's base URL, e.g. https://mastodon.example")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        out = [t.strip().removeprefix("#") for t in value]
        for tag in out:
            if not tag or not re.match(r"^\w+$", tag):
                raise ValueError(f"{tag!r} is not a hashtag (letters, digits, _)")
        return out

    @field_validator("accounts")
    @classmethod
    def _accounts(cls, value: list[str]) -> list[str]:
        out = [a.strip().removeprefix("@") for a in value]
        for acct in out:
            if not re.match(r"^\w+(@[\w.-]+\.\w+)?$", acct):
                raise ValueError(f"{acct!r} is not an account (user or user@server)")
        return out

    @field_validator("access_token_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError("must be the NAME of an environment variable, never the token itself")
        return value


class XSource(SourceEntry):
    """X search through twscrape (optional extra ``netra[x]``); needs logged-in accounts in its db."""

    kind: Literal["x"] = "x"
    accounts_db: str = "var/twscrape/accounts.db"
    queries: list[str] = Field(default_factory=list)

    @field_validator("queries")
    @classmethod
    def _queries(cls, value: list[str]) -> list[str]:
        if any(not q.strip() for q in value):
            raise ValueError("a query is empty")
        return [q.strip() for q in value]


class FileSource(SourceEntry):
    """A folder where exports arrive (Facebook/Instagram/TikTok CSVs, snscrape or twscrape JSONL,
    Telegram Desktop exports). The nightly scan imports each file once, and again only when its
    content changes (the file's hash is its cursor)."""

    kind: Literal["files"] = "files"
    path: str
    format: str = "auto"
    mapping: str | None = None  # a column-mapping YAML for CSV files (configs/mappings/*.yaml)


class SourcesConfig(Section):
    files: list[FileSource] = Field(default_factory=list)
    telegram: list[TelegramSource] = Field(default_factory=list)
    mastodon: list[MastodonSource] = Field(default_factory=list)
    x: list[XSource] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesConfig:
        seen: set[str] = set()
        for entry in [*self.files, *self.all()]:
            if entry.name in seen:
                raise ValueError(f"source name {entry.name!r} is used twice (names key the cursors)")
            seen.add(entry.name)
        return self

    def all(self) -> list[TelegramSource | MastodonSource | XSource]:
        """The live sources (file drops are imported by the scan's collect stage, not fetched)."""
        return [*self.telegram, *self.mastodon, *self.x]

    def enabled(self) -> list[TelegramSource | MastodonSource | XSource]:
        return [s for s in self.all() if s.enabled]

    def get(self, name: str) -> TelegramSource | MastodonSource | XSource:
        for entry in self.all():
            if entry.name == name:
                return entry
        known = ", ".join(e.name for e in self.all()) or "none"
        raise KeyError(f"no source named {name!r} (configured: {known})")


def sources_path(settings: Settings) -> Path:
    return settings.config_file(settings.collect.sources_file)


def load_sources(settings: Settings, path: Path | None = None) -> SourcesConfig:
    """Read and validate the sources file; a missing file means no live sources (logged)."""
    path = path or sources_path(settings)
    if not path.exists():
        log.warning("no sources file at %s: no live sources configured", path)
        return SourcesConfig()
    data = read_yaml(path)
    if data is not None and not isinstance(data, dict):
        raise ConfigError(str(path), "", "the top level must be a mapping with telegram, mastodon, x")
    return parse_section(SourcesConfig, data, str(path))
