"""What a parent-grade invoice prints: the legal representative and the child's home address
(``child_projection``, from ``child.registered``'s optional ``representative`` and its
``home_address``) and the provider's postal address (``provider_terms.address``, from the
provider events' optional ``address``). All JSON, nullable: rows projected before this
revision have none (the invoice then addresses the child's legal representative by role).

The cached invoice PDFs are dropped: they re-render on their next download from the invoice,
which stays as issued (number, lines, totals), now as the parent-grade archival document.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("child_projection") as batch:
        batch.add_column(sa.Column("representative", sa.Text, nullable=True))
        batch.add_column(sa.Column("home_address", sa.Text, nullable=True))
    with op.batch_alter_table("provider_terms") as batch:
        batch.add_column(sa.Column("address", sa.Text, nullable=True))
    op.execute("DELETE FROM invoice_pdf")


def downgrade() -> None:
    with op.batch_alter_table("provider_terms") as batch:  # SQLite cannot drop in place
        batch.drop_column("address")
    with op.batch_alter_table("child_projection") as batch:
        batch.drop_column("home_address")
        batch.drop_column("representative")
