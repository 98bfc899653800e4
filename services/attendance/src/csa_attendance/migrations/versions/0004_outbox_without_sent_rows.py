"""Outbox: the relay deletes the rows the broker acknowledged; rows marked sent go, with
`sent_at` and its index, and event ids are no longer indexed
(csa_shared.messaging.tables.delete_published_outbox_rows).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from csa_shared.messaging.tables import delete_published_outbox_rows, keep_published_outbox_rows

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    delete_published_outbox_rows(op)


def downgrade() -> None:
    keep_published_outbox_rows(op)
