"""Children, households, contracts, contract versions and proofs.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "children",
        sa.Column("child_id", sa.String(36), primary_key=True),
        sa.Column("nin", sa.String(13), nullable=False, unique=True),
        sa.Column("first_name", sa.String(128), nullable=False),
        sa.Column("last_name", sa.String(128), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "households",
        sa.Column("household_id", sa.String(36), primary_key=True),
        sa.Column("representative_nin", sa.String(13), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "contracts",
        sa.Column("contract_id", sa.String(36), primary_key=True),
        sa.Column("child_id", sa.String(36), sa.ForeignKey("children.child_id"), nullable=False),
        sa.Column(
            "household_id",
            sa.String(36),
            sa.ForeignKey("households.household_id"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("commune", sa.String(128), nullable=True),
        sa.Column("office", sa.String(64), nullable=True),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("filed_by", sa.String(128), nullable=False),
        sa.Column("signed_on", sa.Date, nullable=True),
        sa.Column("valid_from", sa.Date, nullable=True),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("ended_on", sa.Date, nullable=True),
        sa.Column("exception_reason", sa.Text, nullable=True),
        sa.Column("termination_reason", sa.Text, nullable=True),
        sa.Column("terms", sa.JSON, nullable=False),
        sa.Column("eligibility", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("child_id", "status", "commune", "office", "valid_until"):
        op.create_index(f"ix_contracts_{column}", "contracts", [column])
    op.create_table(
        "contract_versions",
        sa.Column(
            "contract_id",
            sa.String(36),
            sa.ForeignKey("contracts.contract_id"),
            primary_key=True,
        ),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("recorded_on", sa.Date, nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("assessment", sa.JSON, nullable=False),
    )
    op.create_table(
        "proofs",
        sa.Column(
            "contract_id",
            sa.String(36),
            sa.ForeignKey("contracts.contract_id"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("dated", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("proofs")
    op.drop_table("contract_versions")
    for column in ("child_id", "status", "commune", "office", "valid_until"):
        op.drop_index(f"ix_contracts_{column}", "contracts")
    op.drop_table("contracts")
    op.drop_table("households")
    op.drop_table("children")
