"""API models of the activation code by post (with OpenAPI examples)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from csa_identity.accounts.schemas import example
from csa_shared.http.bounds import SafeText


class ActivationRequest(BaseModel):
    model_config = example(iam_code="MusMa123")
    iam_code: SafeText = Field(
        min_length=1, max_length=32, description="Any attached child's IAM code"
    )


class ActivationRequested(BaseModel):
    model_config = example(
        detail="If this IAM code exists, you will receive a letter with an activation code."
    )
    detail: str = Field(description="Same answer whether or not the IAM code exists")


class ActivationUse(BaseModel):
    model_config = example(
        iam_code="MusMa123",
        activation_code="R4TN-8KXW-2MCP-Q7HD",
        new_password="violet-canal-ribbon-77",
        mobile="+352 621 654 321",
    )
    iam_code: SafeText = Field(
        min_length=1, max_length=32, description="Any attached child's IAM code"
    )
    activation_code: SafeText = Field(
        min_length=1, max_length=64, description="From the letter; valid 30 days, single use"
    )
    new_password: SafeText = Field(
        min_length=1, max_length=256, description="The account's new password"
    )
    mobile: SafeText = Field(min_length=3, max_length=32, description="Checked by an SMS code")
