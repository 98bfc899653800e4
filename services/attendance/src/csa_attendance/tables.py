"""Tables of the attendance service."""

from sqlalchemy import Column, DateTime, Integer, String, Table, UniqueConstraint

from csa_shared.messaging.tables import service_metadata

metadata = service_metadata()

presences = Table(
    "presences",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("provider_id", String(64), nullable=False),
    Column("provider_record_id", String(128), nullable=False),
    Column("child_id", String(64), nullable=False, index=True),
    Column("start", DateTime, nullable=False),
    Column("end", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("provider_id", "provider_record_id", name="uq_presence_provider_record"),
)
