"""Tables of the billing service: projections of other services' events, then billing.

Projections keep the newest version of each record (`version`); billing documents are
written by the period close and never edited once finalized (re-billing adds adjustments).
"""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from csa_shared.messaging.tables import service_metadata

metadata = service_metadata()
MONEY = Numeric(12, 2)


def _id(name: str) -> Column:  # type: ignore[type-arg]
    return Column(name, String(64), primary_key=True)


def _stamp() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("version", Integer, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    ]


# ---- projections of attendance events -------------------------------------------------

presence_projection = Table(
    "presence_projection",
    metadata,
    Column("presence_id", String(36), primary_key=True),
    Column("provider_id", String(64), nullable=False),
    Column("child_id", String(64), nullable=False, index=True),
    Column("start", DateTime, nullable=False),
    Column("end", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("voided", Boolean, nullable=False),
    Index("ix_presence_projection_child_start", "child_id", "start"),
)

meal_projection = Table(
    "meal_projection",
    metadata,
    _id("meal_id"),
    Column("provider_id", String(64), nullable=False),
    Column("child_id", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("count", Integer, nullable=False),
    Column("voided", Boolean, nullable=False),
    *_stamp(),
    Index("ix_meal_projection_child_day", "child_id", "day"),
)

reservation_projection = Table(
    "reservation_projection",
    metadata,
    _id("reservation_id"),
    Column("provider_id", String(64), nullable=False),
    Column("child_id", String(64), nullable=False),
    Column("start", DateTime, nullable=False),
    Column("end", DateTime, nullable=False),
    *_stamp(),
    Index("ix_reservation_projection_child_start", "child_id", "start"),
)

service_sheet_projection = Table(
    "service_sheet_projection",
    metadata,
    Column("provider_id", String(64), primary_key=True),
    Column("child_id", String(64), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("sheet_id", String(64), nullable=False),
    # JSON [{"day", "hours", "lunches", "out_of_band_hours"}] as the event carried it;
    # "out_of_band_hours" is absent from sheets submitted before it existed (read as 0)
    Column("days", Text, nullable=False),
    *_stamp(),
)

other_charge_projection = Table(
    "other_charge_projection",
    metadata,
    _id("charge_id"),
    Column("provider_id", String(64), nullable=False),
    Column("child_id", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("description", Text, nullable=False),
    *_stamp(),
    Index("ix_other_charge_projection_child_day", "child_id", "day"),
)

provider_terms = Table(
    "provider_terms",
    metadata,
    Column("provider_id", String(64), primary_key=True),
    Column("effective_from", Date, primary_key=True),
    Column("provider_type", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("commune", String(128), nullable=False),
    Column("hourly_price", MONEY, nullable=False),
    Column("meal_price", MONEY, nullable=False),
    Column("plurilingual", Boolean, nullable=False),
    # bank details the provider gave with these terms (None: none given); payments use the
    # newest version's
    Column("iban", String(34), nullable=True),
    Column("bic", String(11), nullable=True),
    Column("address", Text, nullable=True),  # JSON {street, postcode, locality}; None: not sent
    *_stamp(),
)

education_contract_projection = Table(
    "education_contract_projection",
    metadata,
    _id("contract_id"),
    Column("provider_id", String(64), nullable=False),
    Column("child_id", String(64), nullable=False, index=True),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=True),
    Column("hourly_price", MONEY, nullable=False),
    Column("billing_mode", String(16), nullable=False),
    *_stamp(),
)

# ---- projections of membership events -------------------------------------------------

child_projection = Table(
    "child_projection",
    metadata,
    _id("child_id"),
    Column("household_id", String(64), nullable=False),
    Column("display_name", Text, nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("language", String(2), nullable=False),
    Column("billing_address", Text, nullable=False),  # JSON
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # JSON, for the invoice's addressee and parties; None: projected before they were kept
    Column("representative", Text, nullable=True),  # {first_name, surname, address}
    Column("home_address", Text, nullable=True),
)

contract_version = Table(
    "contract_version",
    metadata,
    Column("contract_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("child_id", String(64), nullable=False, index=True),
    Column("household_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("category", String(16), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("schooling", String(32), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("language", String(2), nullable=False),
    Column("billing_address", Text, nullable=False),  # JSON
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # child placed in an institution: lt_4_5 amounts, all paid by the state (§2)
    Column("state_pays_all", Boolean, nullable=False, server_default=false()),
)

plurilingual_week = Table(
    "plurilingual_week",
    metadata,
    Column("child_id", String(64), primary_key=True),
    Column("week_start", Date, primary_key=True),
    Column("month", String(7), nullable=False),
)

# ---- billing ----------------------------------------------------------------------------

billing_period = Table(
    "billing_period",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("status", String(16), nullable=False),  # closing | closed
    Column("cursor", String(64), nullable=True),  # last child id billed (resume point)
    Column("children_total", Integer, nullable=False),
    Column("children_done", Integer, nullable=False),
    Column("parent_total", MONEY, nullable=True),
    Column("state_total", MONEY, nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
)

child_period = Table(
    "child_period",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("child_id", String(64), primary_key=True),
    Column("invoice_id", String(36), nullable=True),
    Column("lines", Text, nullable=False),  # JSON: the lines currently billed for the period
    Column("dirty", Boolean, nullable=False),
    Index("ix_child_period_dirty", "dirty", "month"),
)

invoice = Table(
    "invoice",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("month", String(7), nullable=False),
    Column("child_id", String(64), nullable=False),
    # the provider this invoice bills (csa-rules.md §7: one invoice per child and provider);
    # NULL: every provider of the child (invoices issued before migration 0006, billing
    # several providers) or none (a child with a contract and nothing billed)
    Column("provider_id", String(64), nullable=True),
    Column("household_id", String(64), nullable=True),
    Column("corrects_month", String(7), nullable=False),
    Column("original_invoice_id", String(36), nullable=True),
    Column("status", String(16), nullable=False),  # draft | finalized
    Column("series", String(8), nullable=True),
    Column("seq", Integer, nullable=True),
    Column("contract_id", String(64), nullable=True),
    Column("language", String(2), nullable=False),
    Column("renewal_date", Date, nullable=True),
    Column("parent_total", MONEY, nullable=False),
    Column("state_total", MONEY, nullable=False),
    Column("lines", Text, nullable=False),  # JSON
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint(
        "month", "child_id", "corrects_month", "provider_id", name="uq_invoice_child_provider_month"
    ),
    UniqueConstraint("series", "seq", name="uq_invoice_number"),
    Index("ix_invoice_child", "child_id"),
)

statement_line = Table(
    "statement_line",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("provider_id", String(64), primary_key=True),
    Column("invoice_id", String(36), primary_key=True),
    Column("child_id", String(64), nullable=False),
    Column("corrects_month", String(7), nullable=False),
    Column("parent_amount", MONEY, nullable=False),
    Column("state_amount", MONEY, nullable=False),
)

statement = Table(
    "statement",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("month", String(7), nullable=False),
    Column("provider_id", String(64), nullable=False),
    Column("commune", String(128), nullable=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("children", Integer, nullable=False),
    Column("state_total", MONEY, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("month", "provider_id", name="uq_statement_provider_month"),
)

number_counter = Table(
    "number_counter",
    metadata,
    Column("series", String(16), primary_key=True),
    Column("last", Integer, nullable=False),
)

invoice_pdf = Table(
    "invoice_pdf",
    metadata,
    Column("invoice_id", String(36), primary_key=True),
    Column("content", LargeBinary, nullable=False),
    Column("rendered_at", DateTime(timezone=True), nullable=False),
)

# ---- payments: the state's SEPA credit transfers to the providers (csa_billing.payments) ----

payment_batch = Table(
    "payment_batch",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("message_id", String(35), nullable=False, unique=True),
    # the export's instant, written once: the file's CreDtTm, so a re-download is identical
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("execution_date", Date, nullable=False),
    # the paying agency's account as configured at export (a later change of the settings
    # does not rewrite an exported file)
    Column("debtor_name", Text, nullable=False),
    Column("debtor_iban", String(34), nullable=False),
    Column("debtor_bic", String(11), nullable=True),
    Column("transactions", Integer, nullable=False),
    Column("total", MONEY, nullable=False),
)

payment = Table(
    "payment",
    metadata,
    Column("statement_id", String(36), primary_key=True),
    Column("month", String(7), nullable=False, index=True),
    Column("statement_number", String(32), nullable=False),
    Column("provider_id", String(64), nullable=False),
    Column("creditor_name", Text, nullable=False),
    Column("iban", String(34), nullable=True),
    Column("bic", String(11), nullable=True),
    Column("amount", MONEY, nullable=False),
    Column("end_to_end_id", String(35), nullable=False, unique=True),
    # exported -> confirmed | rejected (once), or not_payable (left out of the file)
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("status_at", DateTime(timezone=True), nullable=True),
)
