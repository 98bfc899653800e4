"""SMS limit keys: one row per account key and per phone number, locked while a request
checks the SMS limits and records its SMS, so parallel requests cannot all pass the cap
(csa_identity.adapters.row_locks).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("sms_limit_keys", sa.Column("key", sa.String(64), primary_key=True))


def downgrade() -> None:
    op.drop_table("sms_limit_keys")
