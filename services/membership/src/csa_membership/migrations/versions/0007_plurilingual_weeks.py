"""Plurilingual education weeks on offer and the children's sign-ups.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weeks",
        sa.Column("week_id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("commune", sa.String(128), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("languages", sa.JSON, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("min_age", sa.Integer, nullable=False),
        sa.Column("max_age", sa.Integer, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("taken", sa.Integer, nullable=False),
        sa.Column("entered_by", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "taken >= 0 AND taken <= capacity", name="ck_weeks_taken_within_capacity"
        ),
    )
    for column in ("provider_id", "starts_on"):
        op.create_index(f"ix_weeks_{column}", "weeks", [column])
    op.create_table(
        "week_sign_ups",
        sa.Column("week_id", sa.String(36), sa.ForeignKey("weeks.week_id"), primary_key=True),
        sa.Column("child_id", sa.String(36), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("signed_up_by", sa.String(128), nullable=False),
        sa.Column("signed_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("week_sign_ups")
    for column in ("provider_id", "starts_on"):
        op.drop_index(f"ix_weeks_{column}", "weeks")
    op.drop_table("weeks")
