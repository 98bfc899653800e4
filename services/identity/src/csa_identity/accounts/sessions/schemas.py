"""API models of the session endpoints (with OpenAPI examples)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from csa_identity.accounts.schemas import example
from csa_shared.http.bounds import SafeText


class RefreshIn(BaseModel):
    model_config = example(refresh_token="6f1c...d2.Jx3...")
    refresh_token: SafeText = Field(
        min_length=1,
        max_length=256,
        description="The refresh token of the last tokens (single use)",
    )
