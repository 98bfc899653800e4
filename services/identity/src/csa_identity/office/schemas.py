"""API models of the virtual office (with OpenAPI examples)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from csa_identity.accounts.schemas import OtpSentOut
from csa_shared.http.bounds import SafeText


def _example(**values: object) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [values]})


class ChildOut(BaseModel):
    child_id: str = Field(description="The child's pseudonymous id")
    iam_code: str = Field(description="The child's IAM code (on its myCard)")
    attached_at: datetime = Field(description="When the child was attached to the account (UTC)")


class ProfileOut(BaseModel):
    model_config = _example(
        account_id="5b0c2f0e-8c1d-4c55-a7f5-0e7c3b1d2a90",
        mobile="+352•••••••456",
        email="anne.muster@example.lu",
        children=[
            {"child_id": "ch-1", "iam_code": "MusMa123", "attached_at": "2026-09-01T08:00:00Z"}
        ],
    )
    account_id: str = Field(description="The account's id")
    mobile: str = Field(description="Masked")
    email: str | None = Field(description="The e-mail address; null when none was given")
    children: list[ChildOut] = Field(description="The children attached to the account")


class PasswordChangeIn(BaseModel):
    model_config = _example(
        current_password="correct horse battery staple", new_password="violet-canal-ribbon-77"
    )
    current_password: SafeText = Field(min_length=1, max_length=256, description="The password now")
    new_password: SafeText = Field(min_length=1, max_length=256, description="The password to set")


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
    completed: bool = Field(
        description="true: done; false: confirm with the SMS code first (see next)"
    )
    next: OtpSentOut | None = Field(
        default=None, description="The SMS code sent to confirm the change; null when completed"
    )


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
    subject: str = Field(description="The certificate's subject (distinguished name)")
    serial_number: str = Field(description="The certificate's serial number, hexadecimal")
    sha256_fingerprint: str = Field(description="SHA-256 of the certificate (DER), hexadecimal")
    not_valid_after: datetime = Field(description="When the certificate expires (UTC)")
    registered_at: datetime = Field(description="When it was registered with the account (UTC)")
