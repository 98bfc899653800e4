"""E-mail notices: the mail outbox, the notices decided (one per child, reference and kind)
and each child's contract expiry projected from membership's events.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        _when("next_attempt"),
        sa.Column("last_error", sa.Text),
        _when("created_at"),
    )
    op.create_index("ix_mail_outbox_next_attempt", "mail_outbox", ["next_attempt"])
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        _when("created_at"),
        sa.UniqueConstraint(
            "child_id", "reference", "kind", name="uq_notices_child_reference_kind"
        ),
    )
    op.create_table(
        "contract_expiries",
        sa.Column("child_id", sa.String(64), primary_key=True),
        sa.Column("contract_id", sa.String(64), nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_index("ix_contract_expiries_valid_until", "contract_expiries", ["valid_until"])


def downgrade() -> None:
    op.drop_table("contract_expiries")
    op.drop_table("notices")
    op.drop_index("ix_mail_outbox_next_attempt", table_name="mail_outbox")
    op.drop_table("mail_outbox")
