"""One parent invoice per child and provider (csa-rules.md §7): ``invoice.provider_id``.

A parent pays each provider separately, so the close now writes one invoice per (child,
provider) billed in the period, numbered in (child, corrected month, provider) order. The
invoice's uniqueness moves from (month, child, corrected month) to (month, child, corrected
month, provider).

Invoices issued before this revision are kept exactly as they are: their numbers, totals,
lines and statement lines are not touched. An invoice that billed a single provider (its
statement lines name one provider) gets that provider in ``provider_id``, which changes
nothing of the document; an invoice that billed several providers of a child, or none (a
0.00 invoice of a child with a contract and no attendance), keeps ``provider_id`` NULL:
the legacy marker for "every provider of the child in that month". A later re-billing of
such a period credits and debits per provider and references the provider's own invoice
when there is one, else this legacy invoice.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# one provider only: the invoice's statement lines all name it
SINGLE_PROVIDER = (
    "UPDATE invoice SET provider_id = (SELECT min(s.provider_id) FROM statement_line s "
    "WHERE s.invoice_id = invoice.id) "
    "WHERE (SELECT count(DISTINCT s.provider_id) FROM statement_line s "
    "WHERE s.invoice_id = invoice.id) = 1"
)


def upgrade() -> None:
    with op.batch_alter_table("invoice") as batch:  # SQLite rebuilds the table
        batch.add_column(sa.Column("provider_id", sa.String(64), nullable=True))
        batch.drop_constraint("uq_invoice_child_month", type_="unique")
        batch.create_unique_constraint(
            "uq_invoice_child_provider_month",
            ["month", "child_id", "corrects_month", "provider_id"],
        )
    op.execute(SINGLE_PROVIDER)


def downgrade() -> None:
    """Only possible while every child has at most one invoice per month and corrected
    month (no period closed since the upgrade billed a child at two providers)."""
    with op.batch_alter_table("invoice") as batch:
        batch.drop_constraint("uq_invoice_child_provider_month", type_="unique")
        batch.create_unique_constraint(
            "uq_invoice_child_month", ["month", "child_id", "corrects_month"]
        )
        batch.drop_column("provider_id")
