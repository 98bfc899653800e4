"""API models of registration and login, and the answers the account modules share
(with OpenAPI examples)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from csa_identity.accounts.common import OtpSent, Tokens
from csa_shared.http.bounds import SafeText


def example(**values: object) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [values]})


class RegistrationStart(BaseModel):
    model_config = example(
        iam_code="MusMa123",
        linking_code="K7QX-M2RT-9WHB-CZ4N",
        password="correct horse battery staple",
        mobile="+352 621 123 456",
    )
    iam_code: SafeText = Field(min_length=1, max_length=32, description="From the child's myCard")
    linking_code: SafeText = Field(
        min_length=1, max_length=64, description="Single use, on the myCard letter"
    )
    password: SafeText = Field(min_length=1, max_length=256, description="The account's password")
    mobile: SafeText = Field(
        min_length=3, max_length=32, description="Mobile number for the SMS codes"
    )


class LoginStart(BaseModel):
    model_config = example(iam_code="MusMa123", password="correct horse battery staple")
    iam_code: SafeText = Field(
        min_length=1, max_length=32, description="Any attached child's IAM code"
    )
    password: SafeText = Field(min_length=1, max_length=256, description="The account's password")


class OtpSentOut(BaseModel):
    model_config = example(
        flow_id="0b7e1c9e-4d5a-4f71-9d1e-0c2d8f9f1a11",
        sent_to="+352 6** *** 456",
        expires_at="2026-09-01T08:00:60Z",
    )
    flow_id: str = Field(description="Give it back with the SMS code")
    sent_to: str = Field(description="The masked mobile number the SMS went to")
    expires_at: datetime = Field(description="When the SMS code expires (UTC)")

    @classmethod
    def of(cls, sent: OtpSent) -> OtpSentOut:
        return cls(flow_id=sent.flow_id, sent_to=sent.sent_to, expires_at=sent.expires_at)


class OtpConfirm(BaseModel):
    model_config = example(flow_id="0b7e1c9e-4d5a-4f71-9d1e-0c2d8f9f1a11", code="123456")
    flow_id: SafeText = Field(
        min_length=1, max_length=64, description="The flow_id of the answer that sent the SMS"
    )
    code: SafeText = Field(min_length=1, max_length=16, description="The 6 digits received by SMS")


class TokensOut(BaseModel):
    model_config = example(
        access_token="eyJhbGciOiJFZERTQSIsImtpZCI6ImstMSJ9...",
        token_type="Bearer",
        expires_in=900,
        refresh_token="6f1c...d2.Jx3...",
    )
    access_token: str = Field(
        description="The access token: an EdDSA JWT for the services' Authorization header"
    )
    token_type: str = Field(default="Bearer", description='Always "Bearer"')
    expires_in: int = Field(description="Seconds the access token stays valid")
    refresh_token: str = Field(
        description="Single use: exchanged for new tokens at /v1/sessions/refresh"
    )

    @classmethod
    def of(cls, tokens: Tokens) -> TokensOut:
        return cls(
            access_token=tokens.access_token,
            expires_in=tokens.expires_in,
            refresh_token=tokens.refresh_token,
        )


class CertificateLogin(BaseModel):
    model_config = example(iam_code="MusMa123", password="correct horse battery staple")
    iam_code: SafeText = Field(
        min_length=1, max_length=32, description="Any attached child's IAM code"
    )
    password: SafeText = Field(min_length=1, max_length=256, description="The account's password")
