"""registry versions, ASN records and their history, account matches, match feedback

Revision ID: 0002_registry
Revises: 0001_posts
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pipeline.store.tables.base import JSONType

revision: str = "0002_registry"
down_revision: str | Sequence[str] | None = "0001_posts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registry_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=True),
        sa.Column("n_read", sa.Integer(), nullable=False),
        sa.Column("n_records", sa.Integer(), nullable=False),
        sa.Column("n_added", sa.Integer(), nullable=False),
        sa.Column("n_removed", sa.Integer(), nullable=False),
        sa.Column("n_changed", sa.Integer(), nullable=False),
        sa.Column("n_rejected", sa.Integer(), nullable=False),
        sa.Column("changed_fields", JSONType, nullable=True),
        sa.Column("rejects_path", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_versions")),
    )
    op.create_table(
        "asn_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Integer(), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("nama", sa.Text(), nullable=False),
        sa.Column("gelar_depan", sa.Text(), nullable=True),
        sa.Column("gelar_belakang", sa.Text(), nullable=True),
        sa.Column("jabatan", sa.Text(), nullable=True),
        sa.Column("instansi", sa.Text(), nullable=True),
        sa.Column("unit_kerja", sa.Text(), nullable=True),
        sa.Column("kabupaten_kota", sa.Text(), nullable=True),
        sa.Column("provinsi", sa.Text(), nullable=True),
        sa.Column("akun", JSONType, nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("tmt_cpns", sa.Date(), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["valid_from"], ["registry_versions.id"], name=op.f("fk_asn_records_valid_from_registry_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asn_records")),
        sa.UniqueConstraint("nip", name="uq_asn_records_nip"),
    )
    op.create_table(
        "asn_record_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Integer(), nullable=False),
        sa.Column("valid_to", sa.Integer(), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("nama", sa.Text(), nullable=False),
        sa.Column("gelar_depan", sa.Text(), nullable=True),
        sa.Column("gelar_belakang", sa.Text(), nullable=True),
        sa.Column("jabatan", sa.Text(), nullable=True),
        sa.Column("instansi", sa.Text(), nullable=True),
        sa.Column("unit_kerja", sa.Text(), nullable=True),
        sa.Column("kabupaten_kota", sa.Text(), nullable=True),
        sa.Column("provinsi", sa.Text(), nullable=True),
        sa.Column("akun", JSONType, nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("tmt_cpns", sa.Date(), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asn_record_history")),
    )
    op.create_index("ix_asn_record_history_nip", "asn_record_history", ["nip"], unique=False)
    op.create_index(
        "ix_asn_record_history_versions", "asn_record_history", ["valid_from", "valid_to"], unique=False
    )
    op.create_table(
        "account_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=True),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("p_in_registry", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("candidates", JSONType, nullable=False),
        sa.Column("other_odds", sa.Float(), nullable=False),
        sa.Column("evidence", JSONType, nullable=False),
        sa.Column("registry_version", sa.Integer(), nullable=True),
        sa.Column("profile_hash", sa.String(length=64), nullable=True),
        sa.Column("matched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_matches")),
        sa.UniqueConstraint("platform", "handle", name="uq_account_matches_platform_handle"),
    )
    op.create_index("ix_account_matches_nip", "account_matches", ["nip"], unique=False)
    op.create_table(
        "match_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_feedback")),
    )
    op.create_index("ix_match_feedback_account", "match_feedback", ["platform", "handle"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_match_feedback_account", table_name="match_feedback")
    op.drop_table("match_feedback")
    op.drop_index("ix_account_matches_nip", table_name="account_matches")
    op.drop_table("account_matches")
    op.drop_index("ix_asn_record_history_versions", table_name="asn_record_history")
    op.drop_index("ix_asn_record_history_nip", table_name="asn_record_history")
    op.drop_table("asn_record_history")
    op.drop_table("asn_records")
    op.drop_table("registry_versions")
