"""Classifier outputs and the registry of trained model versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType


class Prediction(Base):
    """One model version's opinion of one post. A new version adds rows; it never rewrites old ones."""

    __tablename__ = "predictions"
    __table_args__ = (
        UniqueConstraint("post_pk", "model_version", name="uq_predictions_post_model"),
        Index("ix_predictions_partisan", "model_version", "partisan_score"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_pk: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    model_version: Mapped[str] = mapped_column(String(100))
    stance: Mapped[str] = mapped_column(String(20))  # support | oppose | neutral | unrelated
    scores: Mapped[dict[str, float]] = mapped_column(JSONType)
    partisan: Mapped[bool] = mapped_column(Boolean)
    partisan_score: Mapped[float] = mapped_column(Float)
    target: Mapped[str | None] = mapped_column(Text)
    explanation: Mapped[list[Any] | None] = mapped_column(JSONType)  # [[token, weight], ...] when computed
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ModelVersion(Base):
    """A trained model registered in the store; exactly one is the default used by `classify`."""

    __tablename__ = "model_versions"

    version: Mapped[str] = mapped_column(String(100), primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    backbone: Mapped[str] = mapped_column(String(200))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONType)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(DateTime)
