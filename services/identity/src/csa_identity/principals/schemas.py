"""API models of provider and agent tokens and their administration (with examples)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from csa_shared.http.bounds import SafeText


class AgentKind(StrEnum):
    """Agents the CAE administrator registers over the API. A privacy officer
    (``csa_identity.domain.principals.AgentKind.PRIVACY_OFFICER``) is registered by the
    operator only, with ``csa identity create-agent --kind privacy-officer``."""

    COMMUNE = "commune"
    CAE = "cae"
    DAGESELTEREN = "dageselteren"


def _example(**values: object) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [values]})


class ClientTokenOut(BaseModel):
    model_config = _example(
        access_token="eyJhbGciOiJFZERTQSIsImtpZCI6ImstMSJ9...",
        token_type="Bearer",
        expires_in=900,
        scope="provider:prov-42",
    )
    access_token: str = Field(
        description="The access token: an EdDSA JWT for the services' Authorization header"
    )
    token_type: str = Field(default="Bearer", description='Always "Bearer"')
    expires_in: int = Field(description="Seconds the access token stays valid")
    scope: str = Field(description="The scope granted, e.g. provider:<provider id>")


class AgentLoginIn(BaseModel):
    model_config = _example(
        agent_id="commune-esch-agent-1", password="violet-canal-ribbon-77", totp="492039"
    )
    agent_id: SafeText = Field(min_length=1, max_length=64, description="The agent's id")
    password: SafeText = Field(min_length=1, max_length=256, description="The agent's password")
    totp: SafeText = Field(min_length=1, max_length=16, description="From the authenticator app")


class ClientIn(BaseModel):
    model_config = _example(provider_id="prov-42", client_id="prov-42-billing")
    provider_id: SafeText = Field(
        min_length=1, max_length=64, description="The provider whose system the client is"
    )
    client_id: SafeText | None = Field(
        default=None,
        min_length=3,
        max_length=64,
        description="The client id to give; default: one is made up",
    )


class ClientOut(BaseModel):
    model_config = _example(
        client_id="prov-42-billing",
        provider_id="prov-42",
        client_secret="K7QXM2RT-9WHBCZ4N-R4TN8KXW-2MCPQ7HD",
    )
    client_id: str = Field(description="The client id of the client-credentials grant")
    provider_id: str = Field(description="The provider whose system the client is")
    client_secret: str = Field(description="Shown once; only a digest is stored")


class AgentIn(BaseModel):
    model_config = _example(
        agent_id="commune-esch-agent-1",
        kind="commune",
        password="violet-canal-ribbon-77",
        commune="esch-sur-alzette",
        office=None,
    )
    agent_id: SafeText = Field(
        min_length=3, max_length=64, description="The agent's id, used to sign in"
    )
    kind: AgentKind = Field(
        description="commune, cae (non-residents) or dageselteren (parental assistants)"
    )
    password: SafeText = Field(min_length=1, max_length=256, description="Initial password")
    commune: SafeText | None = Field(
        default=None, max_length=64, description="Required for commune"
    )
    office: SafeText | None = Field(
        default=None, max_length=64, description="The office of a cae or dageselteren agent"
    )


class AgentOut(BaseModel):
    model_config = _example(
        agent_id="commune-esch-agent-1",
        kind="commune",
        commune="esch-sur-alzette",
        office=None,
        totp_provisioning_uri="otpauth://totp/CSA%20Staark%20Kanner:commune-esch-agent-1"
        "?secret=JBSWY3DPEHPK3PXP&issuer=CSA%20Staark%20Kanner",
    )
    agent_id: str = Field(description="The agent's id")
    kind: AgentKind = Field(
        description="commune, cae (non-residents) or dageselteren (parental assistants)"
    )
    commune: str | None = Field(description="The commune of a commune agent; null otherwise")
    office: str | None = Field(
        description="The office of a cae or dageselteren agent; null otherwise"
    )
    totp_provisioning_uri: str = Field(description="Shown once: the authenticator app's QR code")


class DuplicateCardOut(BaseModel):
    model_config = _example(child_id="ch-1", iam_code="MusMa123", duplicate_number=1)
    child_id: str = Field(description="The child's pseudonymous id")
    iam_code: str = Field(description="The child's IAM code (unchanged)")
    duplicate_number: int = Field(
        description="How many duplicates of the card were issued, this one included"
    )
