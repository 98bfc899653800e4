"""Idempotency keys: the responses of POSTs sent with an `Idempotency-Key` header, replayed
to a repeat (csa_shared.idempotency).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from csa_shared.idempotency.table import create_idempotency_table, drop_idempotency_table

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table(op)


def downgrade() -> None:
    drop_idempotency_table(op)
