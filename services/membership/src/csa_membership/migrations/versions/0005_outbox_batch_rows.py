"""Outbox: a row may hold several messages of one topic, a bulk ingest's events, with their
keys; payloads compressed with LZ4 on PostgreSQL where it has it
(csa_shared.messaging.tables.outbox_rows_hold_batches).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from csa_shared.messaging.tables import outbox_rows_hold_batches, outbox_rows_hold_one_message

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_rows_hold_batches(op)


def downgrade() -> None:
    outbox_rows_hold_one_message(op)
