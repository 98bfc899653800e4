"""Projections of membership and attendance, and the billing documents.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)


def _stamp() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _projections() -> None:
    op.add_column(
        "presence_projection",
        sa.Column("voided", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_presence_projection_child_start", "presence_projection", ["child_id", "start"]
    )
    op.create_table(
        "meal_projection",
        sa.Column("meal_id", sa.String(64), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("voided", sa.Boolean, nullable=False),
        *_stamp(),
    )
    op.create_index("ix_meal_projection_child_day", "meal_projection", ["child_id", "day"])
    op.create_table(
        "reservation_projection",
        sa.Column("reservation_id", sa.String(64), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("start", sa.DateTime, nullable=False),
        sa.Column("end", sa.DateTime, nullable=False),
        *_stamp(),
    )
    op.create_index(
        "ix_reservation_projection_child_start", "reservation_projection", ["child_id", "start"]
    )
    op.create_table(
        "service_sheet_projection",
        sa.Column("provider_id", sa.String(64), primary_key=True),
        sa.Column("child_id", sa.String(64), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("sheet_id", sa.String(64), nullable=False),
        sa.Column("days", sa.Text, nullable=False),
        *_stamp(),
    )
    op.create_table(
        "other_charge_projection",
        sa.Column("charge_id", sa.String(64), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        *_stamp(),
    )
    op.create_index(
        "ix_other_charge_projection_child_day", "other_charge_projection", ["child_id", "day"]
    )
    op.create_table(
        "provider_terms",
        sa.Column("provider_id", sa.String(64), primary_key=True),
        sa.Column("effective_from", sa.Date, primary_key=True),
        sa.Column("provider_type", sa.String(32), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("commune", sa.String(128), nullable=False),
        sa.Column("hourly_price", MONEY, nullable=False),
        sa.Column("meal_price", MONEY, nullable=False),
        sa.Column("plurilingual", sa.Boolean, nullable=False),
        *_stamp(),
    )
    op.create_table(
        "education_contract_projection",
        sa.Column("contract_id", sa.String(64), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=True),
        sa.Column("hourly_price", MONEY, nullable=False),
        sa.Column("billing_mode", sa.String(16), nullable=False),
        *_stamp(),
    )
    op.create_index(
        "ix_education_contract_projection_child_id", "education_contract_projection", ["child_id"]
    )
    op.create_table(
        "child_projection",
        sa.Column("child_id", sa.String(64), primary_key=True),
        sa.Column("household_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("billing_address", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "contract_version",
        sa.Column("contract_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("household_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("schooling", sa.String(32), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("billing_address", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_contract_version_child_id", "contract_version", ["child_id"])
    op.create_table(
        "plurilingual_week",
        sa.Column("child_id", sa.String(64), primary_key=True),
        sa.Column("week_start", sa.Date, primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
    )


def _billing() -> None:
    op.create_table(
        "billing_period",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cursor", sa.String(64), nullable=True),
        sa.Column("children_total", sa.Integer, nullable=False),
        sa.Column("children_done", sa.Integer, nullable=False),
        sa.Column("parent_total", MONEY, nullable=True),
        sa.Column("state_total", MONEY, nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "child_period",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("child_id", sa.String(64), primary_key=True),
        sa.Column("invoice_id", sa.String(36), nullable=True),
        sa.Column("lines", sa.Text, nullable=False),
        sa.Column("dirty", sa.Boolean, nullable=False),
    )
    op.create_index("ix_child_period_dirty", "child_period", ["dirty", "month"])
    op.create_table(
        "invoice",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("household_id", sa.String(64), nullable=True),
        sa.Column("corrects_month", sa.String(7), nullable=False),
        sa.Column("original_invoice_id", sa.String(36), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("series", sa.String(8), nullable=True),
        sa.Column("seq", sa.Integer, nullable=True),
        sa.Column("contract_id", sa.String(64), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("renewal_date", sa.Date, nullable=True),
        sa.Column("parent_total", MONEY, nullable=False),
        sa.Column("state_total", MONEY, nullable=False),
        sa.Column("lines", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("month", "child_id", "corrects_month", name="uq_invoice_child_month"),
        sa.UniqueConstraint("series", "seq", name="uq_invoice_number"),
    )
    op.create_index("ix_invoice_child", "invoice", ["child_id"])
    op.create_table(
        "statement_line",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("provider_id", sa.String(64), primary_key=True),
        sa.Column("invoice_id", sa.String(36), primary_key=True),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("corrects_month", sa.String(7), nullable=False),
        sa.Column("parent_amount", MONEY, nullable=False),
        sa.Column("state_amount", MONEY, nullable=False),
    )
    op.create_table(
        "statement",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("commune", sa.String(128), nullable=True),
        sa.Column("number", sa.String(32), nullable=False, unique=True),
        sa.Column("children", sa.Integer, nullable=False),
        sa.Column("state_total", MONEY, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("month", "provider_id", name="uq_statement_provider_month"),
    )
    op.create_table(
        "number_counter",
        sa.Column("series", sa.String(16), primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "invoice_pdf",
        sa.Column("invoice_id", sa.String(36), primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=False),
    )


def upgrade() -> None:
    _projections()
    _billing()


def downgrade() -> None:
    for name in (
        "invoice_pdf",
        "number_counter",
        "statement",
        "statement_line",
        "invoice",
        "child_period",
        "billing_period",
        "plurilingual_week",
        "contract_version",
        "child_projection",
        "education_contract_projection",
        "provider_terms",
        "other_charge_projection",
        "service_sheet_projection",
        "reservation_projection",
        "meal_projection",
    ):
        op.drop_table(name)
    op.drop_index("ix_presence_projection_child_start", "presence_projection")
    op.drop_column("presence_projection", "voided")
