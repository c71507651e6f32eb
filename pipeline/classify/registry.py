"""Trained model versions: where they live, which one is the default, and promoting a new one.

A version is a folder under ``models/`` holding ``netra_model.json``. ``models/DEFAULT`` is a one-line
text file naming the default version (a file, not a symlink, so it survives every checkout and
archive). ``settings.classify.model`` is ``default`` (follow that file), a version name, or a path.
The store's ``model_versions`` table mirrors this for the scan and the review queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import PROJECT_ROOT

from .model import SPEC_FILE, ModelSpec

MODELS_DIR = PROJECT_ROOT / "models"
DEFAULT_FILE = "DEFAULT"
# Promotion compares these, in order, on the test split; a new version must not be worse on any.
PROMOTION_METRICS = ("partisan_f1", "macro_f1")


class ModelNotFound(FileNotFoundError):
    pass


@dataclass
class VersionInfo:
    version: str
    path: Path
    spec: ModelSpec
    is_default: bool

    def test_metrics(self) -> dict[str, Any]:
        return self.spec.metrics.get("test", {})


def default_version(models_dir: Path = MODELS_DIR) -> str | None:
    path = models_dir / DEFAULT_FILE
    if not path.exists():
        return None
    name = path.read_text(encoding="utf-8").strip()
    return name or None


def resolve_model(name: str = "default", models_dir: Path = MODELS_DIR) -> Path:
    """``default`` → the folder named in models/DEFAULT; a version name → models/<name>; else a path."""
    if name == "default":
        version = default_version(models_dir)
        if version is None:
            raise ModelNotFound(f"no default model: {models_dir / DEFAULT_FILE} is missing or empty")
        name = version
    for candidate in (models_dir / name, Path(name).expanduser()):
        if (candidate / SPEC_FILE).exists():
            return candidate
    raise ModelNotFound(f"model {name!r} not found (looked in {models_dir / name} and {name})")


def list_versions(models_dir: Path = MODELS_DIR) -> list[VersionInfo]:
    default = default_version(models_dir)
    out = []
    if models_dir.is_dir():
        for folder in sorted(models_dir.iterdir()):
            if (folder / SPEC_FILE).exists():
                out.append(VersionInfo(folder.name, folder, ModelSpec.load(folder), folder.name == default))
    return out


def compare(new: dict[str, Any], old: dict[str, Any]) -> list[str]:
    """Reasons the new metrics are worse than the old (empty when not worse)."""
    reasons = []
    for key in PROMOTION_METRICS:
        if key not in new:
            reasons.append(f"the new version has no test {key} (run `netra evaluate` first)")
        elif key in old and new[key] < old[key] - 1e-9:
            reasons.append(f"test {key} {new[key]:.3f} < {old[key]:.3f} of the current default")
    return reasons


def promote(version: str, force: bool = False, models_dir: Path = MODELS_DIR) -> tuple[str | None, list[str]]:
    """Make ``version`` the default unless it is worse than the current one (or ``force``).

    Returns (previous default, reasons it was refused or overridden). Raises ModelNotFound.
    """
    folder = models_dir / version
    if not (folder / SPEC_FILE).exists():
        raise ModelNotFound(f"no model {version!r} in {models_dir}")
    previous = default_version(models_dir)
    reasons: list[str] = []
    if previous and previous != version and (models_dir / previous / SPEC_FILE).exists():
        old = ModelSpec.load(models_dir / previous).metrics.get("test", {})
        new_metrics = ModelSpec.load(folder).metrics
        new = new_metrics.get("test", {})
        # A model retrained from reviews was scored beside the default on its own (larger) test set:
        # compare on that, where both were measured alike.
        beside = new_metrics.get("compared_with") or {}
        if beside.get("version") == previous:
            old = beside.get("test", old)
        reasons = compare(new, old)
    if reasons and not force:
        return previous, reasons
    tmp = models_dir / (DEFAULT_FILE + ".tmp")
    tmp.write_text(version + "\n", encoding="utf-8")
    tmp.replace(models_dir / DEFAULT_FILE)
    return previous, reasons


def sync_store(engine, models_dir: Path = MODELS_DIR) -> None:
    """Mirror models/ into the store's ``model_versions`` (insert new ones, move the default flag)."""
    from sqlalchemy import select, update

    from pipeline.schema import utcnow
    from pipeline.store.db import transaction
    from pipeline.store.tables import ModelVersion

    versions = list_versions(models_dir)
    with transaction(engine) as session:
        known = {row.version: row for row in session.scalars(select(ModelVersion))}
        for info in versions:
            row = known.get(info.version)
            if row is None:
                session.add(
                    ModelVersion(
                        version=info.version,
                        path=str(info.path),
                        backbone=info.spec.backbone,
                        metrics=info.spec.metrics,
                        is_default=info.is_default,
                        created_at=utcnow(),
                        promoted_at=utcnow() if info.is_default else None,
                    )
                )
            else:
                if info.is_default and not row.is_default:
                    row.promoted_at = utcnow()
                row.is_default = info.is_default
                row.metrics = info.spec.metrics
        default = next((v.version for v in versions if v.is_default), None)
        session.flush()
        session.execute(update(ModelVersion).where(ModelVersion.version != default).values(is_default=False))


def resolve_model_version(settings) -> str:
    """The version name the configured model resolves to (what the scan fingerprints)."""
    folder = resolve_model(settings.classify.model, models_dir_for(settings))
    return ModelSpec.load(folder).version


def models_dir_for(settings) -> Path:
    """``classify.models_dir`` (``models/`` of the project by default)."""
    return settings.path(settings.classify.models_dir)
