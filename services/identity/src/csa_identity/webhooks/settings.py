"""Settings of the webhook deliveries to partners' apps."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from csa_shared.settings import SecretFileSettings, env_variable


class WebhookSettings(SecretFileSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # development: a receiver on this machine over plain http (never in production)
    allow_http_localhost: bool = Field(
        default=False, validation_alias=env_variable("WEBHOOK_ALLOW_HTTP_LOCALHOST")
    )
    poll_seconds: float = Field(
        default=5.0, gt=0, validation_alias=env_variable("WEBHOOK_POLL_SECONDS")
    )
    timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, validation_alias=env_variable("WEBHOOK_TIMEOUT_SECONDS")
    )


def webhook_problems() -> list[str]:
    """What keeps ``csa serve identity`` from starting in production."""
    if WebhookSettings().allow_http_localhost:
        return [
            "WEBHOOK_ALLOW_HTTP_LOCALHOST is for development only: in production a partner's "
            "receiver is https, never the server itself"
        ]
    return []
