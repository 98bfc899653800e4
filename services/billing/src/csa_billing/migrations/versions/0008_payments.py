"""Payments: the providers' bank details in `provider_terms`, and the state's SEPA credit
transfer batches (`payment_batch`, one per closed month) with one `payment` per statement.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)


def upgrade() -> None:
    op.add_column("provider_terms", sa.Column("iban", sa.String(34), nullable=True))
    op.add_column("provider_terms", sa.Column("bic", sa.String(11), nullable=True))
    op.create_table(
        "payment_batch",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("message_id", sa.String(35), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("execution_date", sa.Date, nullable=False),
        sa.Column("debtor_name", sa.Text, nullable=False),
        sa.Column("debtor_iban", sa.String(34), nullable=False),
        sa.Column("debtor_bic", sa.String(11), nullable=True),
        sa.Column("transactions", sa.Integer, nullable=False),
        sa.Column("total", MONEY, nullable=False),
    )
    op.create_table(
        "payment",
        sa.Column("statement_id", sa.String(36), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("statement_number", sa.String(32), nullable=False),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("creditor_name", sa.Text, nullable=False),
        sa.Column("iban", sa.String(34), nullable=True),
        sa.Column("bic", sa.String(11), nullable=True),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("end_to_end_id", sa.String(35), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_payment_month", "payment", ["month"])


def downgrade() -> None:
    op.drop_index("ix_payment_month", table_name="payment")
    op.drop_table("payment")
    op.drop_table("payment_batch")
    with op.batch_alter_table("provider_terms") as batch:
        batch.drop_column("bic")
        batch.drop_column("iban")
