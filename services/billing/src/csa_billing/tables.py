"""Tables of the billing service: projections of other services' events, then billing."""

from sqlalchemy import Column, DateTime, Integer, String, Table

from csa_shared.messaging.tables import service_metadata

metadata = service_metadata()

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
)
