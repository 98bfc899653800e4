"""Case-folded commune of each contract, for case-insensitive searches by commune.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contracts", sa.Column("commune_key", sa.String(128), nullable=True))
    contracts = sa.table(
        "contracts",
        sa.column("contract_id", sa.String),
        sa.column("commune", sa.String),
        sa.column("commune_key", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(contracts.c.contract_id, contracts.c.commune).where(
            contracts.c.commune.is_not(None)
        )
    ).all()
    for contract_id, commune in rows:  # Python's casefold, as the scope check uses
        bind.execute(
            contracts.update()
            .where(contracts.c.contract_id == contract_id)
            .values(commune_key=commune.casefold())
        )
    op.create_index("ix_contracts_commune_key", "contracts", ["commune_key"])


def downgrade() -> None:
    op.drop_index("ix_contracts_commune_key", "contracts")
    with op.batch_alter_table("contracts") as batch:  # SQLite cannot drop a column in place
        batch.drop_column("commune_key")
