"""Providers, education contracts, record versions, meals, reservations, service sheets,
other charges, closed periods.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(10, 2)


def _record_versions(name: str, key: str, *content: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column(key, sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        *content,
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )


def upgrade() -> None:
    op.create_table(
        "providers",
        sa.Column("provider_id", sa.String(64), primary_key=True),
        sa.Column("provider_type", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "provider_versions",
        sa.Column(
            "provider_id",
            sa.String(64),
            sa.ForeignKey("providers.provider_id"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("street", sa.String(200), nullable=False),
        sa.Column("postcode", sa.String(16), nullable=False),
        sa.Column("locality", sa.String(100), nullable=False),
        sa.Column("commune", sa.String(100), nullable=False),
        sa.Column("hourly_price", MONEY, nullable=False),
        sa.Column("meal_price", MONEY, nullable=False),
        sa.Column("plurilingual", sa.Boolean, nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "education_contracts",
        sa.Column("contract_id", sa.String(64), primary_key=True),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column(
            "provider_id", sa.String(64), sa.ForeignKey("providers.provider_id"), nullable=False
        ),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=True),
        sa.Column("hours_per_week", sa.Numeric(5, 2), nullable=False),
        sa.Column("hourly_price", MONEY, nullable=False),
        sa.Column("billing_mode", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_education_contracts_child_provider",
        "education_contracts",
        ["child_id", "provider_id"],
    )
    op.create_index("ix_education_contracts_provider_id", "education_contracts", ["provider_id"])
    with op.batch_alter_table("presences") as batch:
        batch.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="active")
        )
    _record_versions(
        "presence_versions",
        "presence_id",
        sa.Column("start", sa.DateTime, nullable=False),
        sa.Column("end", sa.DateTime, nullable=False),
    )
    op.create_table(
        "meals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("provider_record_id", sa.String(128), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("provider_id", "provider_record_id", name="uq_meal_provider_record"),
    )
    op.create_index("ix_meals_child_id", "meals", ["child_id"])
    _record_versions(
        "meal_versions",
        "meal_id",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "reservations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("provider_record_id", sa.String(128), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("start", sa.DateTime, nullable=False),
        sa.Column("end", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "provider_id", "provider_record_id", name="uq_reservation_provider_record"
        ),
    )
    op.create_index("ix_reservations_child_id", "reservations", ["child_id"])
    op.create_table(
        "service_sheets",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("days", sa.JSON, nullable=False),
        sa.Column("total_hours", sa.Numeric(7, 2), nullable=False),
        sa.Column("total_lunches", sa.Integer, nullable=False),
        sa.Column("submitted_by", sa.String(128), nullable=False),
        sa.Column("submitted_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("provider_id", "child_id", "month", "version", name="uq_service_sheet"),
    )
    op.create_table(
        "other_charges",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("provider_record_id", sa.String(128), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "provider_id", "provider_record_id", name="uq_other_charge_provider_record"
        ),
    )
    op.create_index("ix_other_charges_child_id", "other_charges", ["child_id"])
    op.create_table(
        "closed_periods",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for name in (
        "closed_periods",
        "other_charges",
        "service_sheets",
        "reservations",
        "meal_versions",
        "meals",
        "presence_versions",
        "education_contracts",
        "provider_versions",
        "providers",
    ):
        op.drop_table(name)
    with op.batch_alter_table("presences") as batch:
        batch.drop_column("status")
