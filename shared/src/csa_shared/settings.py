"""Platform settings from environment variables (twelve-factor), with embedded defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ServiceName = Literal["identity", "membership", "attendance", "billing"]
SERVICES: tuple[ServiceName, ...] = ("identity", "membership", "attendance", "billing")


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    """Everything a process reads from its environment; unset means the embedded default."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    var_dir: Path = Field(Path("./var"), validation_alias=_env("CSA_VAR_DIR"))
    calendar_dir_setting: Path | None = Field(None, validation_alias=_env("CSA_CALENDAR_DIR"))
    kafka_bootstrap_servers: str | None = Field(
        None, validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS")
    )
    kafka_enable_idempotence: bool = Field(True, validation_alias=_env("KAFKA_ENABLE_IDEMPOTENCE"))
    kafka_fetch_max_wait_ms: int = Field(
        100, ge=0, le=60_000, validation_alias=_env("KAFKA_FETCH_MAX_WAIT_MS")
    )
    identity_database_url: str | None = Field(None, validation_alias=_env("IDENTITY_DATABASE_URL"))
    membership_database_url: str | None = Field(
        None, validation_alias=_env("MEMBERSHIP_DATABASE_URL")
    )
    attendance_database_url: str | None = Field(
        None, validation_alias=_env("ATTENDANCE_DATABASE_URL")
    )
    billing_database_url: str | None = Field(None, validation_alias=_env("BILLING_DATABASE_URL"))
    http_host: str = Field("127.0.0.1", validation_alias=_env("CSA_HTTP_HOST"))
    http_port: int = Field(8000, validation_alias=_env("CSA_HTTP_PORT"))
    log_level: str = Field("INFO", validation_alias=_env("CSA_LOG_LEVEL"))
    outbox_poll_seconds: float = Field(0.5, validation_alias=_env("CSA_OUTBOX_POLL_SECONDS"))
    identity_url: str | None = Field(None, validation_alias=_env("IDENTITY_URL"))
    token_issuer: str = Field("https://identity.csa.lu", validation_alias=_env("CSA_TOKEN_ISSUER"))
    demo_data: bool = Field(False, validation_alias=_env("CSA_DEMO_DATA"))
    jwks_refetch_cooldown_seconds: float = Field(
        30.0, validation_alias=_env("CSA_JWKS_REFETCH_COOLDOWN_SECONDS")
    )
    identity_key_reload_seconds: float = Field(
        60.0, validation_alias=_env("IDENTITY_KEY_RELOAD_SECONDS")
    )
    identity_client_cert_header: str = Field(
        "ssl-client-cert", validation_alias=_env("IDENTITY_CLIENT_CERT_HEADER")
    )
    identity_client_verify_header: str = Field(
        "ssl-client-verify", validation_alias=_env("IDENTITY_CLIENT_VERIFY_HEADER")
    )
    max_body_bytes: int = Field(1 << 20, ge=1024, validation_alias=_env("CSA_MAX_BODY_BYTES"))
    identity_max_body_bytes: int | None = Field(
        None, ge=1024, validation_alias=_env("IDENTITY_MAX_BODY_BYTES")
    )
    membership_max_body_bytes: int | None = Field(
        None, ge=1024, validation_alias=_env("MEMBERSHIP_MAX_BODY_BYTES")
    )
    attendance_max_body_bytes: int | None = Field(
        None, ge=1024, validation_alias=_env("ATTENDANCE_MAX_BODY_BYTES")
    )
    billing_max_body_bytes: int | None = Field(
        None, ge=1024, validation_alias=_env("BILLING_MAX_BODY_BYTES")
    )
    # 1000 items of up to ~1.7 KB each (longest ids, every character escaped): 4 MiB
    attendance_batch_max_body_bytes: int = Field(
        4 << 20, ge=1024, validation_alias=_env("ATTENDANCE_BATCH_MAX_BODY_BYTES")
    )

    def database_url(self, service: ServiceName) -> str:
        """The async SQLAlchemy URL of a service's own database."""
        configured: str | None = getattr(self, f"{service}_database_url")
        if configured:
            return async_url(configured)
        return f"sqlite+aiosqlite:///{(self.var_dir / f'{service}.db').as_posix()}"

    def max_body_bytes_of(self, service: ServiceName) -> int:
        """The largest request body ``service`` reads (its own setting, else the shared one)."""
        configured: int | None = getattr(self, f"{service}_max_body_bytes")
        return configured or self.max_body_bytes

    @property
    def jwks_file(self) -> Path:
        """Where embedded identity publishes its public keys for the other services."""
        return self.var_dir / "jwks.json"

    @property
    def calendar_dir(self) -> Path:
        """Where ``csa calendar load`` installs reference calendars (next to the shipped ones)."""
        return self.calendar_dir_setting or self.var_dir / "calendars"

    @property
    def embedded_bus(self) -> bool:
        return not self.kafka_bootstrap_servers


def audience_of(service: ServiceName) -> str:
    """The ``aud`` value a token must carry to be accepted by ``service``."""
    return f"csa-{service}"


def async_url(url: str) -> str:
    """Accept plain ``postgresql://`` / ``sqlite://`` URLs and pick the async driver."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
