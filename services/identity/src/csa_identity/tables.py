"""Tables of the identity service.

Instants are stored as aware UTC (``DateTime(timezone=True)``); secrets never in clear:
passwords argon2id, linking/activation codes and client secrets HMAC-peppered, refresh tokens
SHA-256. Signing keys are the exception (a private PEM), unless ``IDENTITY_SIGNING_KEY_FILE``
provides the key from outside the database.
"""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from csa_shared.messaging.tables import service_metadata

metadata = service_metadata()


def _when(name: str, *, nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("mobile", String(20), nullable=False),
    Column("email", String(254)),
    Column("status", String(16), nullable=False),
    _when("created_at"),
    _when("sessions_valid_after"),
    Column("password_failures", Integer, nullable=False),
    Column("password_lockouts", Integer, nullable=False),
    _when("password_locked_until", nullable=True),
    Column("otp_failures", Integer, nullable=False),
    Column("otp_lockouts", Integer, nullable=False),
    _when("otp_locked_until", nullable=True),
)

account_children = Table(
    "account_children",
    metadata,
    Column("child_id", String(64), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.account_id"), nullable=False, index=True),
    Column("iam_code", String(16), nullable=False, unique=True),
    _when("attached_at"),
)

cards = Table(
    "cards",
    metadata,
    Column("child_id", String(64), primary_key=True),
    Column("iam_code", String(16), nullable=False, unique=True),
    Column("linking_code_hash", String(128), nullable=False),
    _when("linking_code_issued_at"),
    _when("linking_code_spent_at", nullable=True),
    Column("valid_until", Date, nullable=False),
    Column("duplicate_number", Integer, nullable=False),
    Column("surname", String(200), nullable=False),
    Column("first_name", String(200), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("language", String(2), nullable=False),
    Column("address", JSON, nullable=False),
)

pending_flows = Table(
    "pending_flows",
    metadata,
    Column("flow_id", String(36), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("account_id", String(36), index=True),
    Column("child_id", String(64)),
    Column("iam_code", String(16)),
    Column("payload", JSON, nullable=False),
    Column("otp_purpose", String(32), nullable=False),
    Column("otp_phone", String(20), nullable=False),
    Column("otp_secret", String(64), nullable=False),
    Column("otp_counter", Integer, nullable=False),
    _when("otp_sent_at"),
    Column("otp_attempts", Integer, nullable=False),
    _when("otp_used_at", nullable=True),
    _when("started_at"),
)

activation_codes = Table(
    "activation_codes",
    metadata,
    Column("account_id", String(36), ForeignKey("accounts.account_id"), primary_key=True),
    Column("code_hash", String(128), nullable=False),
    _when("issued_at"),
    _when("expires_at"),
    Column("attempts", Integer, nullable=False),
    _when("used_at", nullable=True),
)

refresh_families = Table(
    "refresh_families",
    metadata,
    Column("family_id", String(36), primary_key=True),
    Column("subject", String(36), nullable=False, index=True),
    _when("created_at"),
    _when("last_used_at"),
    Column("current_token_hash", String(64), nullable=False),
    Column("retired_token_hashes", JSON, nullable=False),
    _when("revoked_at", nullable=True),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("algorithm", String(16), nullable=False),
    Column("private_pem", Text, nullable=False),
    _when("created_at"),
    _when("retired_at", nullable=True),
)

certificates = Table(
    "certificates",
    metadata,
    Column("sha256_fingerprint", String(64), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.account_id"), nullable=False, index=True),
    Column("subject", Text, nullable=False),
    Column("serial_number", String(64), nullable=False),
    _when("not_valid_after"),
    _when("registered_at"),
)

provider_clients = Table(
    "provider_clients",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("provider_id", String(64), nullable=False, index=True),
    Column("secret_hash", String(128), nullable=False),
    Column("active", Boolean, nullable=False),
    _when("created_at"),
)

agents = Table(
    "agents",
    metadata,
    Column("agent_id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("totp_secret", String(64), nullable=False),
    Column("commune", String(64)),
    Column("office", String(64)),
    Column("failures", Integer, nullable=False),
    Column("lockouts", Integer, nullable=False),
    _when("locked_until", nullable=True),
    Column("last_totp_step", Integer, nullable=False),
    _when("created_at"),
)

sms_messages = Table(
    "sms_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_key", String(64), index=True),
    Column("phone", String(20), nullable=False, index=True),
    Column("body", Text, nullable=False),
    Column("gateway", String(16), nullable=False),
    _when("created_at"),
)

sms_limit_keys = Table(
    "sms_limit_keys",
    metadata,
    # one row per account key and per phone number that got an SMS: locked while a request
    # checks the SMS limits and records its SMS (adapters/row_locks.py)
    Column("key", String(64), primary_key=True),
)

letters = Table(
    "letters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("child_id", String(64), index=True),
    Column("account_id", String(36)),
    Column("language", String(2), nullable=False),
    Column("recipient", JSON, nullable=False),
    Column("body", Text, nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    _when("created_at"),
    _when("exported_at", nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _when("at"),
    Column("action", String(64), nullable=False, index=True),
    Column("outcome", String(16), nullable=False),
    Column("subject", String(64)),
    Column("detail", JSON, nullable=False),
)

# E-mail notices (invoice issued, contract about to expire): queued in the transaction that
# decides them, sent by the mail sender (notices/sender.py) and deleted once the server took
# them; a failed attempt moves next_attempt on with back-off, so an outage loses nothing.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recipient", String(254), nullable=False),
    Column("language", String(2), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    _when("next_attempt"),
    Column("last_error", Text),
    _when("created_at"),
    Index("ix_mail_outbox_next_attempt", "next_attempt"),
)

# One row per notice decided (kept after its mail went): a redelivered invoice event or a
# second daily check finds the row and queues nothing again.
notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("child_id", String(64), nullable=False),
    Column("reference", String(64), nullable=False),  # the invoice or contract id
    Column("kind", String(16), nullable=False),  # invoice, adjustment, expiry_30, expiry_7
    _when("created_at"),
    UniqueConstraint("child_id", "reference", "kind", name="uq_notices_child_reference_kind"),
)

# Each child's current contract, projected from membership's contract events: the daily
# expiry check reads valid_until, the notices their language.
contract_expiries = Table(
    "contract_expiries",
    metadata,
    Column("child_id", String(64), primary_key=True),
    Column("contract_id", String(64), nullable=False),
    Column("valid_until", Date, nullable=False, index=True),
    Column("language", String(2), nullable=False),
    Column("active", Boolean, nullable=False),
)

# Webhooks of partners' apps (webhooks/): one subscription per client and target URL; its
# signing secret is derived from the server pepper and secret_salt (never stored itself).
webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("subscription_id", String(36), primary_key=True),
    Column("client_id", String(64), nullable=False, index=True),
    Column("provider_id", String(64), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("description", String(200)),
    Column("secret_salt", String(64), nullable=False),
    Column("pepper_id", String(64), nullable=False),
    _when("created_at"),
)

# One row per event and subscription (the outbox of the webhook sender): pending until the
# receiver answers 2xx (delivered) or the attempts run out (failed); the body is fixed at
# fan-out, so every attempt sends and signs the same bytes.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("delivery_id", String(40), primary_key=True),  # the webhook-id header
    Column(
        "subscription_id",
        String(36),
        ForeignKey("webhook_subscriptions.subscription_id"),
        nullable=False,
        index=True,
    ),
    Column("event_id", String(64), nullable=False),
    Column("event_type", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False),
    _when("next_attempt", nullable=True),
    _when("created_at"),
    UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_event"),
    Index("ix_webhook_deliveries_next_attempt", "next_attempt"),
)

# The delivery log: one row per attempt (status code or error, duration).
webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "delivery_id",
        String(40),
        ForeignKey("webhook_deliveries.delivery_id"),
        nullable=False,
        index=True,
    ),
    Column("attempt", Integer, nullable=False),
    _when("at"),
    Column("status_code", Integer),
    Column("duration_ms", Integer, nullable=False),
    Column("error", Text),
)
