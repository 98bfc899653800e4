"""Accounts, myCards, pending flows, sessions, keys, principals, SMS, letters, audit log.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (
    "audit_log",
    "letters",
    "sms_messages",
    "agents",
    "provider_clients",
    "certificates",
    "signing_keys",
    "refresh_families",
    "activation_codes",
    "pending_flows",
    "cards",
    "account_children",
    "accounts",
)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("mobile", sa.String(20), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sessions_valid_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_failures", sa.Integer, nullable=False),
        sa.Column("password_lockouts", sa.Integer, nullable=False),
        sa.Column("password_locked_until", sa.DateTime(timezone=True)),
        sa.Column("otp_failures", sa.Integer, nullable=False),
        sa.Column("otp_lockouts", sa.Integer, nullable=False),
        sa.Column("otp_locked_until", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "account_children",
        sa.Column("child_id", sa.String(64), primary_key=True),
        sa.Column(
            "account_id", sa.String(36), sa.ForeignKey("accounts.account_id"), nullable=False
        ),
        sa.Column("iam_code", sa.String(16), nullable=False, unique=True),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "cards",
        sa.Column("child_id", sa.String(64), primary_key=True),
        sa.Column("iam_code", sa.String(16), nullable=False, unique=True),
        sa.Column("linking_code_hash", sa.String(128), nullable=False),
        sa.Column("linking_code_issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("linking_code_spent_at", sa.DateTime(timezone=True)),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("duplicate_number", sa.Integer, nullable=False),
        sa.Column("surname", sa.String(200), nullable=False),
        sa.Column("first_name", sa.String(200), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("address", sa.JSON, nullable=False),
    )
    op.create_table(
        "pending_flows",
        sa.Column("flow_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(36)),
        sa.Column("child_id", sa.String(64)),
        sa.Column("iam_code", sa.String(16)),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("otp_purpose", sa.String(32), nullable=False),
        sa.Column("otp_phone", sa.String(20), nullable=False),
        sa.Column("otp_secret", sa.String(64), nullable=False),
        sa.Column("otp_counter", sa.Integer, nullable=False),
        sa.Column("otp_sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("otp_attempts", sa.Integer, nullable=False),
        sa.Column("otp_used_at", sa.DateTime(timezone=True)),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "activation_codes",
        sa.Column(
            "account_id", sa.String(36), sa.ForeignKey("accounts.account_id"), primary_key=True
        ),
        sa.Column("code_hash", sa.String(128), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "refresh_families",
        sa.Column("family_id", sa.String(36), primary_key=True),
        sa.Column("subject", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_token_hash", sa.String(64), nullable=False),
        sa.Column("retired_token_hashes", sa.JSON, nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("private_pem", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "certificates",
        sa.Column("sha256_fingerprint", sa.String(64), primary_key=True),
        sa.Column(
            "account_id", sa.String(36), sa.ForeignKey("accounts.account_id"), nullable=False
        ),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("serial_number", sa.String(64), nullable=False),
        sa.Column("not_valid_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "provider_clients",
        sa.Column("client_id", sa.String(64), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.String(128), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "agents",
        sa.Column("agent_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("totp_secret", sa.String(64), nullable=False),
        sa.Column("commune", sa.String(64)),
        sa.Column("office", sa.String(64)),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("lockouts", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("last_totp_step", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sms_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_key", sa.String(64)),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("gateway", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("child_id", sa.String(64)),
        sa.Column("account_id", sa.String(36)),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("recipient", sa.JSON, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(64)),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_account_children_account_id", "account_children", ["account_id"])
    op.create_index("ix_pending_flows_account_id", "pending_flows", ["account_id"])
    op.create_index("ix_refresh_families_subject", "refresh_families", ["subject"])
    op.create_index("ix_certificates_account_id", "certificates", ["account_id"])
    op.create_index("ix_provider_clients_provider_id", "provider_clients", ["provider_id"])
    op.create_index("ix_sms_messages_account_key", "sms_messages", ["account_key"])
    op.create_index("ix_sms_messages_phone", "sms_messages", ["phone"])
    op.create_index("ix_letters_child_id", "letters", ["child_id"])
    op.create_index("ix_audit_log_action", "audit_log", ["action"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
