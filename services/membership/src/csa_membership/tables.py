"""Tables of the membership service.

A contract aggregate is stored as one ``contracts`` row (status, scope, current validity, the
validity terms and eligibility decision as JSON) plus one ``contract_versions`` row per version
(the full contract data and assessment as JSON, never updated except the first version's
``effective_from`` at signature). ``children`` and ``households`` give stable ids: a child is
found again by national identification number, a household by its representative's. National
ids are stored (agents need them) but never logged nor put in events.
"""

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)

from csa_shared.messaging.tables import service_metadata

metadata = service_metadata()

children = Table(
    "children",
    metadata,
    Column("child_id", String(36), primary_key=True),
    Column("nin", String(13), nullable=False, unique=True),
    Column("first_name", String(128), nullable=False),
    Column("last_name", String(128), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

households = Table(
    "households",
    metadata,
    Column("household_id", String(36), primary_key=True),
    Column("representative_nin", String(13), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

contracts = Table(
    "contracts",
    metadata,
    Column("contract_id", String(36), primary_key=True),
    Column("child_id", String(36), ForeignKey("children.child_id"), nullable=False, index=True),
    Column("household_id", String(36), ForeignKey("households.household_id"), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("commune", String(128), nullable=True, index=True),
    # the commune case-folded: searches by commune ignore case, as the agent scope check does
    Column("commune_key", String(128), nullable=True, index=True),
    Column("office", String(64), nullable=True, index=True),
    Column("filed_on", Date, nullable=False),
    Column("filed_by", String(128), nullable=False),
    Column("signed_on", Date, nullable=True),
    Column("valid_from", Date, nullable=True),
    Column("valid_until", Date, nullable=True, index=True),
    Column("ended_on", Date, nullable=True),
    Column("exception_reason", Text, nullable=True),
    Column("termination_reason", Text, nullable=True),
    Column("terms", JSON, nullable=False),
    Column("eligibility", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

contract_versions = Table(
    "contract_versions",
    metadata,
    Column("contract_id", String(36), ForeignKey("contracts.contract_id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("effective_from", Date, nullable=False),
    Column("recorded_on", Date, nullable=False),
    Column("changes", JSON, nullable=False),
    Column("reason", Text, nullable=True),
    Column("data", JSON, nullable=False),
    Column("assessment", JSON, nullable=False),
)

proofs = Table(
    "proofs",
    metadata,
    Column("contract_id", String(36), ForeignKey("contracts.contract_id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("type", String(64), nullable=False),
    Column("dated", Date, nullable=False),
    Column("note", Text, nullable=False),
)

# Plurilingual education weeks (csa_membership.weeks): ``taken`` counts the signed-up rows of
# ``week_sign_ups``; a sign-up raises it in one conditional UPDATE (``taken < capacity``).
weeks = Table(
    "weeks",
    metadata,
    Column("week_id", String(36), primary_key=True),
    Column("provider_id", String(64), nullable=False, index=True),
    Column("commune", String(128), nullable=False),
    Column("title", String(200), nullable=False),
    Column("languages", JSON, nullable=False),
    Column("starts_on", Date, nullable=False, index=True),
    Column("ends_on", Date, nullable=False),
    Column("min_age", Integer, nullable=False),
    Column("max_age", Integer, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("taken", Integer, nullable=False),
    Column("entered_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("taken >= 0 AND taken <= capacity", name="ck_weeks_taken_within_capacity"),
)

week_sign_ups = Table(
    "week_sign_ups",
    metadata,
    Column("week_id", String(36), ForeignKey("weeks.week_id"), primary_key=True),
    Column("child_id", String(36), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("signed_up_by", String(128), nullable=False),
    Column("signed_up_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
)
