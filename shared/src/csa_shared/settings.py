"""Platform settings from environment variables (twelve-factor), with embedded defaults.

Every variable a process reads is a field here (``README.md`` lists them; a test compares).
Secrets are ``SecretStr`` and may come from a file instead: ``<NAME>_FILE`` names a file
whose content (surrounding whitespace stripped) is the value, which is how a Kubernetes
Secret or a compose secret is mounted. Setting both ``NAME`` and ``NAME_FILE`` is an error.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

ServiceName = Literal["identity", "membership", "attendance", "billing"]
SERVICES: tuple[ServiceName, ...] = ("identity", "membership", "attendance", "billing")


KafkaSecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]
FILE_SUFFIX = "_FILE"


def env_variable(name: str) -> AliasChoices:
    """The one environment variable a settings field is read from (``variable_of`` reads it
    back, so every settings class, the services' own too, lists in the README's table)."""
    return AliasChoices(name)


_env = env_variable


def variable_of(info: FieldInfo) -> str:
    """The environment variable a settings field is read from."""
    alias = info.validation_alias
    assert isinstance(alias, AliasChoices), "every setting names its variable with _env()"
    name = alias.choices[0]
    assert isinstance(name, str)
    return name


def is_secret(info: FieldInfo) -> bool:
    return info.annotation in (SecretStr, SecretStr | None)


class SecretFilesSource(PydanticBaseSettingsSource):
    """``<NAME>_FILE`` for every secret field: the value is the file's content."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        variable = variable_of(field)
        location = os.environ.get(variable + FILE_SUFFIX)
        if not location or not is_secret(field):
            return None, field_name, False
        if os.environ.get(variable):
            raise ValueError(f"set {variable} or {variable}{FILE_SUFFIX}, not both")
        try:
            content = Path(location).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"{variable}{FILE_SUFFIX}: cannot read {location}: {exc}") from exc
        return content, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, info in self.settings_cls.model_fields.items():
            value, _, _ = self.get_field_value(info, name)
            if value is not None:
                found[variable_of(info)] = value
        return found


class SecretFileSettings(BaseSettings):
    """Settings read from the environment, each secret also from ``<NAME>_FILE``: the base
    of ``Settings`` and of a service's own settings with a secret."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, SecretFilesSource(settings_cls))


class Settings(SecretFileSettings):
    """Everything a process reads from its environment; unset means the embedded default."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    dev_mode: bool = Field(False, validation_alias=_env("CSA_DEV_MODE"))
    var_dir: Path = Field(Path("./var"), validation_alias=_env("CSA_VAR_DIR"))
    calendar_dir_setting: Path | None = Field(None, validation_alias=_env("CSA_CALENDAR_DIR"))
    kafka_bootstrap_servers: str | None = Field(
        None, validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS")
    )
    kafka_enable_idempotence: bool = Field(True, validation_alias=_env("KAFKA_ENABLE_IDEMPOTENCE"))
    kafka_fetch_max_wait_ms: int = Field(
        100, ge=0, le=60_000, validation_alias=_env("KAFKA_FETCH_MAX_WAIT_MS")
    )
    # A fetch answered once this much is there (or its wait is out): a short linger, so a
    # fetch carries several events at a low rate (fewer transactions and offset commits).
    kafka_fetch_min_bytes: int = Field(
        16_384, ge=1, le=52_428_800, validation_alias=_env("KAFKA_FETCH_MIN_BYTES")
    )
    kafka_security_protocol: KafkaSecurityProtocol = Field(
        "PLAINTEXT", validation_alias=_env("KAFKA_SECURITY_PROTOCOL")
    )
    kafka_sasl_mechanism: KafkaSaslMechanism | None = Field(
        None, validation_alias=_env("KAFKA_SASL_MECHANISM")
    )
    kafka_sasl_username: str | None = Field(None, validation_alias=_env("KAFKA_SASL_USERNAME"))
    kafka_sasl_password: SecretStr | None = Field(
        None, validation_alias=_env("KAFKA_SASL_PASSWORD")
    )
    kafka_ssl_ca_file: Path | None = Field(None, validation_alias=_env("KAFKA_SSL_CA_FILE"))
    identity_database_url: SecretStr | None = Field(
        None, validation_alias=_env("IDENTITY_DATABASE_URL")
    )
    membership_database_url: SecretStr | None = Field(
        None, validation_alias=_env("MEMBERSHIP_DATABASE_URL")
    )
    attendance_database_url: SecretStr | None = Field(
        None, validation_alias=_env("ATTENDANCE_DATABASE_URL")
    )
    billing_database_url: SecretStr | None = Field(
        None, validation_alias=_env("BILLING_DATABASE_URL")
    )
    http_host: str = Field("127.0.0.1", validation_alias=_env("CSA_HTTP_HOST"))
    http_port: int = Field(8000, validation_alias=_env("CSA_HTTP_PORT"))
    log_level: str = Field("INFO", validation_alias=_env("CSA_LOG_LEVEL"))
    log_format: Literal["auto", "json", "text"] = Field(
        "auto", validation_alias=_env("CSA_LOG_FORMAT")
    )
    otlp_endpoint: str | None = Field(None, validation_alias=_env("CSA_OTLP_ENDPOINT"))
    trace_sample_ratio: float = Field(
        1.0, ge=0.0, le=1.0, validation_alias=_env("CSA_TRACE_SAMPLE_RATIO")
    )
    db_ping_idle_seconds: float = Field(
        30.0, ge=0, validation_alias=_env("CSA_DB_PING_IDLE_SECONDS")
    )
    # one process's PostgreSQL connections, all kept: an overflow connection (closed when
    # returned) made a burst fork a backend per request once more than the pool were in flight
    db_pool_size: int = Field(20, ge=1, validation_alias=_env("CSA_DB_POOL_SIZE"))
    db_max_overflow: int = Field(0, ge=0, validation_alias=_env("CSA_DB_MAX_OVERFLOW"))
    # open them all at start (off by default: every process of every service would hold
    # CSA_DB_POOL_SIZE connections from its start, against PostgreSQL's max_connections)
    db_pool_warm: bool = Field(False, validation_alias=_env("CSA_DB_POOL_WARM"))
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
    # partners' web apps calling from a browser; empty: no CORS headers at all
    cors_allow_origins: str = Field("", validation_alias=_env("CSA_CORS_ALLOW_ORIGINS"))
    # 1000 items of up to ~1.7 KB each (longest ids, every character escaped): 4 MiB
    attendance_batch_max_body_bytes: int = Field(
        4 << 20, ge=1024, validation_alias=_env("ATTENDANCE_BATCH_MAX_BODY_BYTES")
    )
    identity_signing_key_file: Path | None = Field(
        None, validation_alias=_env("IDENTITY_SIGNING_KEY_FILE")
    )
    identity_code_pepper: SecretStr | None = Field(
        None, validation_alias=_env("IDENTITY_CODE_PEPPER")
    )
    sms_gateway_url: str | None = Field(None, validation_alias=_env("SMS_GATEWAY_URL"))
    sms_gateway_token: SecretStr | None = Field(None, validation_alias=_env("SMS_GATEWAY_TOKEN"))
    billing_close_grace_days: int = Field(
        5, ge=0, validation_alias=_env("BILLING_CLOSE_GRACE_DAYS")
    )
    billing_close_workers: int = Field(0, ge=0, validation_alias=_env("BILLING_CLOSE_WORKERS"))
    billing_close_runner: Literal["process", "job"] = Field(
        "process", validation_alias=_env("BILLING_CLOSE_RUNNER")
    )

    def database_url(self, service: ServiceName) -> str:
        """The async SQLAlchemy URL of a service's own database."""
        configured: SecretStr | None = getattr(self, f"{service}_database_url")
        if configured and configured.get_secret_value():
            return async_url(configured.get_secret_value())
        return f"sqlite+aiosqlite:///{(self.var_dir / f'{service}.db').as_posix()}"

    def max_body_bytes_of(self, service: ServiceName) -> int:
        """The largest request body ``service`` reads (its own setting, else the shared one)."""
        configured: int | None = getattr(self, f"{service}_max_body_bytes")
        return configured or self.max_body_bytes

    @property
    def cors_origins(self) -> list[str]:
        """``CSA_CORS_ALLOW_ORIGINS``: comma-separated origins (``*``: any)."""
        return [o.strip().rstrip("/") for o in self.cors_allow_origins.split(",") if o.strip()]

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


class EngineSettings(BaseSettings):
    """Read at import time, before ``Settings``: which billing rules engine loads."""

    model_config = SettingsConfigDict(extra="ignore")

    pure_python: bool = Field(False, validation_alias=_env("CSA_PURE_PYTHON"))


SETTINGS_CLASSES: tuple[type[BaseSettings], ...] = (Settings, EngineSettings)


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
