"""Tables of the attendance service.

Declared records (presences, meals, reservations) keep their current content in the main
table and every version (1 = as posted, then corrections) in a `*_versions` table.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from csa_shared.messaging.tables import service_metadata

metadata = service_metadata()

MONEY = Numeric(10, 2)

providers = Table(
    "providers",
    metadata,
    Column("provider_id", String(64), primary_key=True),
    Column("provider_type", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

provider_versions = Table(
    "provider_versions",
    metadata,
    Column("provider_id", String(64), ForeignKey("providers.provider_id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("effective_from", Date, nullable=False),
    Column("name", String(200), nullable=False),
    Column("street", String(200), nullable=False),
    Column("postcode", String(16), nullable=False),
    Column("locality", String(100), nullable=False),
    Column("commune", String(100), nullable=False),
    Column("hourly_price", MONEY, nullable=False),
    Column("meal_price", MONEY, nullable=False),
    Column("plurilingual", Boolean, nullable=False),
    Column("agency_id", String(64), nullable=True),
    Column("iban", String(34), nullable=True),
    Column("bic", String(11), nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

education_contracts = Table(
    "education_contracts",
    metadata,
    Column("contract_id", String(64), primary_key=True),
    Column("child_id", String(64), nullable=False),
    Column("provider_id", String(64), ForeignKey("providers.provider_id"), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=True),
    Column("hours_per_week", Numeric(5, 2), nullable=False),
    Column("hourly_price", MONEY, nullable=False),
    Column("billing_mode", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_education_contracts_child_provider", "child_id", "provider_id"),
    Index("ix_education_contracts_provider_id", "provider_id"),
)


def identifier(length: int) -> String:
    """An identifier compared byte by byte: collation "C" on PostgreSQL, where the
    database's locale would compare ids as words (its indexes then cost PostgreSQL about a
    tenth more on ingest); SQLite compares bytes already."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


presences = Table(
    "presences",
    metadata,
    # Key columns in "C" (`identifier`): every ingested record inserts into their three
    # indexes, and the batch's lookups search them.
    Column("id", identifier(36), primary_key=True),
    Column("provider_id", identifier(64), nullable=False),
    Column("provider_record_id", identifier(128), nullable=False),
    Column("child_id", identifier(64), nullable=False),
    Column("start", DateTime, nullable=False),
    Column("end", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    UniqueConstraint("provider_id", "provider_record_id", name="uq_presence_provider_record"),
    # The overlap check's range query: a child's presences starting in a window.
    Index("ix_presences_child_start", "child_id", "start"),
)

presence_versions = Table(
    "presence_versions",
    metadata,
    Column("presence_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("start", DateTime, nullable=False),
    Column("end", DateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("recorded_at", DateTime, nullable=False),
)

meals = Table(
    "meals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("provider_id", String(64), nullable=False),
    Column("provider_record_id", String(128), nullable=False),
    Column("child_id", String(64), nullable=False, index=True),
    Column("day", Date, nullable=False),
    Column("count", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("provider_id", "provider_record_id", name="uq_meal_provider_record"),
)

# One counter raised by every write to the registry (providers, contracts, closed periods),
# by triggers on PostgreSQL: what `registry.cache` checks its entries against.
registry_version = Table(
    "registry_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False),
)

meal_versions = Table(
    "meal_versions",
    metadata,
    Column("meal_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("count", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("recorded_at", DateTime, nullable=False),
)

reservations = Table(
    "reservations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("provider_id", String(64), nullable=False),
    Column("provider_record_id", String(128), nullable=False),
    Column("child_id", String(64), nullable=False, index=True),
    Column("start", DateTime, nullable=False),
    Column("end", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("provider_id", "provider_record_id", name="uq_reservation_provider_record"),
)

service_sheets = Table(
    "service_sheets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("provider_id", String(64), nullable=False),
    Column("child_id", String(64), nullable=False),
    Column("month", String(7), nullable=False),
    Column("version", Integer, nullable=False),
    Column("days", JSON, nullable=False),  # [{"day", "hours", "lunches", "out_of_band_hours"}]
    Column("total_hours", Numeric(7, 2), nullable=False),  # inside and outside the day band
    Column("total_out_of_band_hours", Numeric(7, 2), nullable=False, server_default="0"),
    Column("total_lunches", Integer, nullable=False),
    Column("submitted_by", String(128), nullable=False),
    Column("submitted_at", DateTime, nullable=False),
    UniqueConstraint("provider_id", "child_id", "month", "version", name="uq_service_sheet"),
)

other_charges = Table(
    "other_charges",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("provider_id", String(64), nullable=False),
    Column("provider_record_id", String(128), nullable=False),
    Column("child_id", String(64), nullable=False, index=True),
    Column("day", Date, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("description", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("provider_id", "provider_record_id", name="uq_other_charge_provider_record"),
)

closed_periods = Table(
    "closed_periods",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("closed_at", DateTime(timezone=True), nullable=False),
)
