"""The portal's settings (``PORTAL_*`` environment variables); unset means the embedded defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from csa_shared.settings import Settings as PlatformSettings
from csa_shared.settings import env_variable as _env


class PortalSettings(BaseSettings):
    """Where the four public APIs are, and how the browser session behaves.

    A service URL left unset is the embedded platform's own prefix on this process's port
    (``http://127.0.0.1:8000/identity``): the portal then calls the services over loopback
    HTTP, exactly as it does in production through their Kubernetes Services.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    identity_url: str | None = Field(None, validation_alias=_env("PORTAL_IDENTITY_URL"))
    membership_url: str | None = Field(None, validation_alias=_env("PORTAL_MEMBERSHIP_URL"))
    attendance_url: str | None = Field(None, validation_alias=_env("PORTAL_ATTENDANCE_URL"))
    billing_url: str | None = Field(None, validation_alias=_env("PORTAL_BILLING_URL"))
    cookie_secure: bool = Field(True, validation_alias=_env("PORTAL_COOKIE_SECURE"))
    session_idle_seconds: int = Field(
        1800, ge=60, le=86_400, validation_alias=_env("PORTAL_SESSION_IDLE_SECONDS")
    )
    max_sessions: int = Field(10_000, ge=10, validation_alias=_env("PORTAL_MAX_SESSIONS"))
    api_timeout_seconds: float = Field(15.0, gt=0, validation_alias=_env("PORTAL_API_TIMEOUT"))
    # behind an ingress that verifies TLS client certificates (LuxTrust) and sets the
    # headers itself: only then are they read and passed on to identity's certificate login
    trust_client_certificate: bool = Field(
        False, validation_alias=_env("PORTAL_TRUST_CLIENT_CERTIFICATE")
    )
    # the educational material's YAML files, read again when they change; unset: the
    # catalogue shipped in the package (csa_portal/materials)
    materials_dir: Path | None = Field(None, validation_alias=_env("PORTAL_MATERIALS_DIR"))

    def service_url(self, service: str, platform: PlatformSettings) -> str:
        """The base URL of ``service``'s API (without ``/v1``)."""
        configured: str | None = getattr(self, f"{service}_url")
        if configured:
            return configured.rstrip("/")
        host = platform.http_host
        if host in {"0.0.0.0", "::", ""}:  # listening everywhere: call back on loopback
            host = "127.0.0.1"
        return f"http://{host}:{platform.http_port}/{service}"
