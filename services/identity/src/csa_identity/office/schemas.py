"""API models of the virtual office (with OpenAPI examples)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from csa_identity.accounts.schemas import OtpSentOut
from csa_shared.http.bounds import SafeText


def _example(**values: object) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [values]})


class ChildOut(BaseModel):
    child_id: str
    iam_code: str
    attached_at: datetime


class ProfileOut(BaseModel):
    model_config = _example(
        account_id="5b0c2f0e-8c1d-4c55-a7f5-0e7c3b1d2a90",
        mobile="+352•••••••456",
        email="anne.muster@example.lu",
        children=[
            {"child_id": "ch-1", "iam_code": "MusMa123", "attached_at": "2026-09-01T08:00:00Z"}
        ],
    )
    account_id: str
    mobile: str = Field(description="Masked")
    email: str | None
    children: list[ChildOut]


class PasswordChangeIn(BaseModel):
    model_config = _example(
        current_password="correct horse battery staple", new_password="violet-canal-ribbon-77"
    )
    current_password: SafeText = Field(min_length=1, max_length=256)
    new_password: SafeText = Field(min_length=1, max_length=256)


class MobileChangeIn(BaseModel):
    model_config = _example(mobile="+352 691 222 333")
    mobile: SafeText = Field(min_length=3, max_length=32, description="The new mobile number")


class EmailIn(BaseModel):
    model_config = _example(email="anne.muster@example.lu")
    email: SafeText | None = Field(default=None, max_length=254, description="null clears it")


class ChangeOut(BaseModel):
    """``completed`` false: a further SMS code went to ``next`` (mobile: the new number)."""

    model_config = _example(
        completed=False,
        next={
            "flow_id": "0b7e1c9e-4d5a-4f71-9d1e-0c2d8f9f1a11",
            "sent_to": "+352•••••••333",
            "expires_at": "2026-09-01T08:01:00Z",
        },
    )
    completed: bool
    next: OtpSentOut | None = None


class AttachIn(BaseModel):
    model_config = _example(iam_code="MusLe456", linking_code="K7QX-M2RT-9WHB-CZ4N")
    iam_code: SafeText = Field(min_length=1, max_length=32, description="From the child's myCard")
    linking_code: SafeText = Field(min_length=1, max_length=64, description="Single use")


class CertificateIn(BaseModel):
    model_config = _example(
        pem="-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU...\n-----END CERTIFICATE-----\n"
    )
    pem: SafeText = Field(min_length=1, max_length=20000, description="X.509 certificate, PEM")


class CertificateOut(BaseModel):
    model_config = _example(
        subject="CN=Anne Muster,O=LuxTrust,C=LU",
        serial_number="1f3a9c",
        sha256_fingerprint="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        not_valid_after="2028-09-01T00:00:00Z",
        registered_at="2026-09-01T08:00:00Z",
    )
    subject: str
    serial_number: str
    sha256_fingerprint: str
    not_valid_after: datetime
    registered_at: datetime
