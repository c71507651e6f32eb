"""The ASN registry (versioned), account matches and reviewers' feedback on them.

Records are stored once per *state*, not once per version. ``asn_records`` holds the current
version, one row per NIP (so other stages join on ``nip`` alone), each with the version it has been
valid since; when an import changes or removes a record, its old state moves to
``asn_record_history`` with the version it stopped being valid at (``valid_to``, exclusive).
Version v is the current rows with ``valid_from <= v`` plus the history rows with
``valid_from <= v < valid_to``. Re-importing a 4.7-million-row registry with a few thousand changes
writes a few thousand rows, and every past version can still be read back exactly.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType


class RegistryVersion(Base):
    """One import of a registry file."""

    __tablename__ = "registry_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(Text)  # file name as given
    file_sha256: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[str | None] = mapped_column(Text)
    n_read: Mapped[int] = mapped_column(Integer, default=0)
    n_records: Mapped[int] = mapped_column(Integer, default=0)  # records in this version
    n_added: Mapped[int] = mapped_column(Integer, default=0)
    n_removed: Mapped[int] = mapped_column(Integer, default=0)
    n_changed: Mapped[int] = mapped_column(Integer, default=0)
    n_rejected: Mapped[int] = mapped_column(Integer, default=0)
    changed_fields: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # field -> count
    rejects_path: Mapped[str | None] = mapped_column(Text)


class _RecordColumns:
    """The fields of a registry record, shared by the current table and its history."""

    nip: Mapped[str] = mapped_column(String(18))
    nama: Mapped[str] = mapped_column(Text)
    gelar_depan: Mapped[str | None] = mapped_column(Text)
    gelar_belakang: Mapped[str | None] = mapped_column(Text)
    jabatan: Mapped[str | None] = mapped_column(Text)
    instansi: Mapped[str | None] = mapped_column(Text)
    unit_kerja: Mapped[str | None] = mapped_column(Text)
    kabupaten_kota: Mapped[str | None] = mapped_column(Text)
    provinsi: Mapped[str | None] = mapped_column(Text)
    akun: Mapped[list[str] | None] = mapped_column(JSONType)  # declared accounts "platform:handle"
    birth_date: Mapped[date] = mapped_column(Date)
    tmt_cpns: Mapped[date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(1))
    row_hash: Mapped[str] = mapped_column(String(64))


class AsnRecord(_RecordColumns, Base):
    """The current state of one civil servant's record (one row per NIP), since ``valid_from``."""

    __tablename__ = "asn_records"
    __table_args__ = (UniqueConstraint("nip", name="uq_asn_records_nip"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    valid_from: Mapped[int] = mapped_column(ForeignKey("registry_versions.id"))


class AsnRecordHistory(_RecordColumns, Base):
    """A past state of a record: valid from ``valid_from`` until ``valid_to`` (exclusive)."""

    __tablename__ = "asn_record_history"
    __table_args__ = (
        Index("ix_asn_record_history_nip", "nip"),
        Index("ix_asn_record_history_versions", "valid_from", "valid_to"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    valid_from: Mapped[int] = mapped_column(Integer)
    valid_to: Mapped[int] = mapped_column(Integer)


class AccountMatch(Base):
    """The current best registry match of one account (platform, handle), with its evidence."""

    __tablename__ = "account_matches"
    __table_args__ = (
        UniqueConstraint("platform", "handle", name="uq_account_matches_platform_handle"),
        Index("ix_account_matches_nip", "nip"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str | None] = mapped_column(String(18))  # best candidate at or above the threshold
    probability: Mapped[float] = mapped_column(Float)  # of the best candidate, linked or not
    threshold: Mapped[float] = mapped_column(Float)  # the threshold the result was decided with
    p_in_registry: Mapped[float] = mapped_column(Float)
    # matched|ambiguous|unmatched|declared|confirmed|needs_review
    status: Mapped[str] = mapped_column(String(20))
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    other_odds: Mapped[float] = mapped_column(Float, default=0.0)  # odds of candidates not listed
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    registry_version: Mapped[int | None] = mapped_column(Integer)
    profile_hash: Mapped[str | None] = mapped_column(String(64))
    matched_at: Mapped[datetime] = mapped_column(DateTime)


class MatchFeedback(Base):
    """A reviewer's verdict on one (account, record) pair; the latest verdict counts."""

    __tablename__ = "match_feedback"
    __table_args__ = (Index("ix_match_feedback_account", "platform", "handle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str] = mapped_column(String(18))
    verdict: Mapped[str] = mapped_column(String(10))  # confirm | reject
    reviewer: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime)
