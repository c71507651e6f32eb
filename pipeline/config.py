"""Typed settings: YAML files in ``configs/`` plus environment overrides.

Every section is a pydantic model with ``extra="forbid"`` so that a typo in a key is caught at start
instead of silently ignored at 3 a.m. in the nightly scan. A bad file raises :class:`ConfigError`
naming the file, the dotted key and the reason.

Precedence, lowest first: the model defaults below, ``configs/netra.yaml``, ``NETRA__SECTION__KEY``
environment variables, and the few well-known shortcuts in ``ENV_SHORTCUTS``
(``NETRA_DATABASE_URL`` and friends).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

# The repository root when running from a checkout; configs and data paths resolve against it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "configs"

ENV_SHORTCUTS: dict[str, tuple[str, ...]] = {
    "NETRA_DATABASE_URL": ("store", "url"),
    "NETRA_MODEL": ("classify", "model"),
    "NETRA_LOG_LEVEL": ("logging", "level"),
    "NETRA_SECRET_KEY": ("review", "secret_key"),
    "NETRA_PSEUDONYM_KEY": ("privacy", "pseudonym_key"),
}


class ConfigError(Exception):
    """A configuration file or value that Netra cannot start with."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        self.source, self.key, self.reason = source, key, reason
        super().__init__(f"{source}: {key}: {reason}" if key else f"{source}: {reason}")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class StoreSettings(Section):
    url: str = "sqlite:///data/netra.db"
    echo: bool = False


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    file: str | None = "var/log/netra.jsonl"


class CollectSettings(Section):
    batch_size: int = Field(5000, ge=1, le=100_000)
    rejects_dir: str = "data/rejects"
    sources_file: str = "sources.yaml"
    max_retries: int = Field(4, ge=0, le=20)
    backoff_seconds: float = Field(2.0, ge=0)
    timeout_seconds: float = Field(30.0, gt=0)


class MatchSettings(Section):
    threshold: float = Field(0.6, ge=0, le=1)
    max_candidates: int = Field(5, ge=1, le=50)


class ClassifySettings(Section):
    model: str = "default"
    max_length: int = Field(128, ge=8, le=512)
    batch_size: int = Field(32, ge=1, le=1024)
    quantize: bool = True
    # int8 runs on ONNX Runtime (exported once into the backbone cache; F1 within 0.3 points of float32)
    # or on PyTorch's dynamic quantisation (no export, about a point of partisan F1 lower).
    runtime: Literal["onnxruntime", "torch"] = "onnxruntime"
    # Skip the network for posts whose stance and flag the blend's TF-IDF part already fixes: the
    # same decisions as the full blend, with estimated scores for the posts it skips (infer.py).
    early_exit: bool = True
    backbone_cache: str = "~/.cache/netra/backbones"
    models_dir: str = "models"  # trained versions, one folder each, and the DEFAULT file


class QueueSettings(Section):
    asn_threshold: float = Field(0.6, ge=0, le=1)
    partisan_threshold: float = Field(0.5, ge=0, le=1)
    audit_rate: float = Field(0.02, ge=0, le=1)
    double_review_rate: float = Field(0.1, ge=0, le=1)
    lease_minutes: int = Field(20, ge=1, le=24 * 60)
    ordering: Literal["priority", "uncertainty"] = "priority"


class ReviewSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    secret_key: str = "change-me-in-production"
    language: Literal["id", "en"] = "id"
    login_attempts_per_minute: int = Field(5, ge=1)
    secure_cookies: bool = False  # true when served over HTTPS (behind a TLS proxy): session cookie is Secure


class PrivacySettings(Section):
    pseudonym_key: str | None = None


class ReportSettings(Section):
    output_dir: str = "data/reports"
    language: Literal["id", "en"] = "id"


class Settings(Section):
    """All of Netra's settings; ``config_dir`` is where the YAML files were read from."""

    config_dir: Path = DEFAULT_CONFIG_DIR
    election: str = "elections/demo.yaml"
    store: StoreSettings = StoreSettings()
    logging: LoggingSettings = LoggingSettings()
    collect: CollectSettings = CollectSettings()
    match: MatchSettings = MatchSettings()
    classify: ClassifySettings = ClassifySettings()
    queue: QueueSettings = QueueSettings()
    review: ReviewSettings = ReviewSettings()
    privacy: PrivacySettings = PrivacySettings()
    report: ReportSettings = ReportSettings()

    def path(self, value: str | Path) -> Path:
        """Resolve a configured path: absolute stays, ``~`` expands, relative is from the project root."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else PROJECT_ROOT / p

    def config_file(self, name: str) -> Path:
        p = Path(name)
        return p if p.is_absolute() else self.config_dir / p

    @property
    def database_url(self) -> str:
        """The store URL with a relative SQLite path resolved against the project root."""
        url = self.store.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str(self.path(url[len(prefix):]))
        return url


def read_yaml(path: Path) -> Any:
    """Read a YAML file, turning unreadable or malformed files into a ConfigError with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read file ({exc.strerror or exc})") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(str(path), "", f"{where}invalid YAML ({getattr(exc, 'problem', exc)})") from exc


def _set_path(tree: dict[str, Any], keys: tuple[str, ...], value: Any) -> None:
    node = tree
    for key in keys[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ConfigError("environment", ".".join(keys), "parent key is not a mapping")
    node[keys[-1]] = value


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """``NETRA__QUEUE__ASN_THRESHOLD=0.9`` sets ``queue.asn_threshold``; values parse as YAML scalars."""
    tree: dict[str, Any] = {}
    for name, value in environ.items():
        if name.startswith("NETRA__"):
            keys = tuple(part.lower() for part in name[len("NETRA__"):].split("__") if part)
        elif name in ENV_SHORTCUTS:
            keys = ENV_SHORTCUTS[name]
        else:
            continue
        parsed = yaml.safe_load(value) if value.strip() else value
        # URLs and free text stay strings even when YAML would read them as something else.
        _set_path(tree, keys, value if keys[-1] in {"url", "secret_key", "pseudonym_key"} else parsed)
    return tree


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(
    config_dir: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read ``netra.yaml`` from ``config_dir``, ``$NETRA_CONFIG_DIR`` or ``configs/``, then the env."""
    environ = os.environ if environ is None else environ
    directory = Path(config_dir or environ.get("NETRA_CONFIG_DIR") or DEFAULT_CONFIG_DIR).expanduser()
    main_file = directory / "netra.yaml"
    data: dict[str, Any] = {}
    if main_file.exists():
        loaded = read_yaml(main_file)
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(str(main_file), "", "the top level must be a mapping of sections")
        data = loaded or {}
    source = str(main_file)
    overrides = _env_overrides(environ)
    if overrides:
        data = _merge(data, overrides)
    try:
        return Settings(config_dir=directory, **data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        top = str(err["loc"][0]) if err["loc"] else ""
        origin = "environment" if top in overrides else source
        raise ConfigError(origin, key, err["msg"]) from exc


def parse_section(model: type[Section], data: Any, source: str, prefix: str = "") -> Any:
    """Validate a YAML fragment (sources, elections) into ``model`` with a ConfigError naming the key."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in ((prefix,) if prefix else ()) + tuple(err["loc"]))
        raise ConfigError(source, key, err["msg"]) from exc
