"""``contract_version.state_pays_all``: a child placed in an institution (csa-rules.md §2).

Membership's contract events carry ``state_pays_all`` (the child is placed in an
institution: amounts computed with the ``lt_4_5`` tariffs, all paid by the state, the parent
share included); the projection dropped it, so such a family was billed a parent share.
The column is added as false for the versions already projected: billing keeps no copy of
their events (and its inbox acts on an event id once), so a placement known before this
revision is taken into account from the contract's next version membership sends (an
amendment re-bills the closed periods from its effective_from).

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
    with op.batch_alter_table("contract_version") as batch:
        batch.add_column(
            sa.Column("state_pays_all", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("contract_version") as batch:  # SQLite cannot drop in place
        batch.drop_column("state_pays_all")
