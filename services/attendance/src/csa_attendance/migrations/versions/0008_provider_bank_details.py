"""Providers: optional bank details (IBAN, BIC) per version of the terms, where the state
pays the provider (billing's SEPA credit transfers). Earlier versions have none.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("provider_versions", sa.Column("iban", sa.String(34), nullable=True))
    op.add_column("provider_versions", sa.Column("bic", sa.String(11), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("provider_versions") as batch:
        batch.drop_column("bic")
        batch.drop_column("iban")
