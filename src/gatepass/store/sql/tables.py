"""The schema, as SQLAlchemy Core tables (the migrations build exactly this).

Times are epoch seconds in DOUBLE columns (REAL on SQLite), which keeps one
representation for both dialects and sub-second precision for ordering.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

__all__ = [
    "account_tokens",
    "audit_events",
    "identities",
    "mail_outbox",
    "metadata",
    "passkey_challenges",
    "passkeys",
    "recovery_codes",
    "refresh_tokens",
    "revocations",
    "sessions",
    "signing_keys",
    "totp_factors",
    "users",
]

# SQLite only autoincrements an INTEGER PRIMARY KEY.
SERIAL = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(64), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("email_verified", Boolean, nullable=False, server_default=false()),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column(
        "user_id",
        String(32),
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at", Double, nullable=False),
    Column("last_used_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
    Column("revoked_at", Double, nullable=True),
    Column("revoked_reason", String(64), nullable=True),
    Column("user_agent", Text, nullable=True),
    Column("ip", String(64), nullable=True),
    # RFC 8176 values, space-separated (0006); NULL for sessions started before.
    Column("amr", String(64), nullable=True),
    # When the person last proved it again (0009); NULL: not since the login.
    Column("reauthenticated_at", Double, nullable=True),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "session_id",
        String(64),
        ForeignKey("sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
    Column("spent_at", Double, nullable=True),
    Column("successor_id", String(32), nullable=True),
    Column("successor_sealed", LargeBinary, nullable=True),
)

revocations = Table(
    "revocations",
    metadata,
    Column("seq", SERIAL, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("not_before", Double, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False, index=True),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(255), primary_key=True),
    Column("alg", String(32), nullable=False),
    Column("private_jwk", Text, nullable=False),
    Column("public_jwk", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("retire_at", Double, nullable=True),
)

# No foreign keys: the audit trail outlives the users and sessions it names.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("at", Double, nullable=False, index=True),
    Column("event", String(64), nullable=False),
    Column("user_id", String(32), nullable=True, index=True),
    Column("session_id", String(64), nullable=True),
    Column("ip", String(64), nullable=True),
    Column("user_agent", Text, nullable=True),
    Column("detail", Text, nullable=False),
)

# One-time account tokens (gatepass.tokens.onetime), by hash only; they go
# with their user.
account_tokens = Table(
    "account_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("purpose", String(32), nullable=False),
    Column(
        "user_id",
        String(32),
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("stamp", String(64), nullable=False),
    Column("payload", Text, nullable=True),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False, index=True),
)

# The durable mail outbox (gatepass.mail.outbox): the body is sealed, and
# dropped once the mail is sent.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("sealed", LargeBinary, nullable=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("next_attempt_at", Double, nullable=False, index=True),
    Column("sent_at", Double, nullable=True),
    Column("last_error", Text, nullable=True),
)


def _owner_key() -> Column[str]:
    """The user a row belongs to, as (part of) its primary key; it goes with them."""
    return Column(
        "user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


# A user's TOTP factor (gatepass.store.factors): the secret sealed under the
# key-encryption key; it goes with its user.
totp_factors = Table(
    "totp_factors",
    metadata,
    _owner_key(),
    Column("sealed_secret", LargeBinary, nullable=False),
    Column("confirmed", Boolean, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("last_step", BigInteger, nullable=True),
)

# Recovery codes, by hash only, spent by their first use.
recovery_codes = Table(
    "recovery_codes",
    metadata,
    _owner_key(),
    Column("code_hash", String(64), primary_key=True),
)

# Federated identities (gatepass.store.identities): one (provider, subject)
# pair belongs to one user and goes with them.
identities = Table(
    "identities",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("provider", String(64), nullable=False),
    Column("subject", String(255), nullable=False),
    Column(
        "user_id",
        String(32),
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("email", String(320), nullable=True),
    Column("created_at", Double, nullable=False),
    Column("last_login_at", Double, nullable=False),
    UniqueConstraint("provider", "subject", name="uq_identities_provider_subject"),
)

# A user's passkeys (gatepass.store.passkeys): public keys, nothing secret; the
# credential id is unique across users. They go with their user.
passkeys = Table(
    "passkeys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "user_id",
        String(32),
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("credential_id", LargeBinary, nullable=False, unique=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("sign_count", BigInteger, nullable=False),
    Column("transports", String(256), nullable=False),
    Column("backup_eligible", Boolean, nullable=False),
    Column("backup_state", Boolean, nullable=False),
    Column("aaguid", String(36), nullable=False),
    Column("name", String(64), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("last_used_at", Double, nullable=True),
)

# The challenges of the WebAuthn ceremonies under way, by hash only, spent by
# their use; a login's has no user.
passkey_challenges = Table(
    "passkey_challenges",
    metadata,
    Column("challenge_hash", String(64), primary_key=True),
    Column("ceremony", String(16), nullable=False),
    Column(
        "user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    ),
    Column("expires_at", Double, nullable=False, index=True),
)
