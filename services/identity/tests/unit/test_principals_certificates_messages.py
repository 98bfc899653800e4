from __future__ import annotations

from datetime import timedelta
from string import Formatter

import pyotp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from csa_identity.adapters.letters import letter_language
from csa_identity.domain.accounts import ParentAccount
from csa_identity.domain.codes import CodeHasher
from csa_identity.domain.errors import (
    CertificateRejected,
    IdentityError,
    InvalidClientCredentials,
    LoginFailed,
    TooManyAttempts,
)
from csa_identity.domain.lockout import LockoutPolicy
from csa_identity.domain.luxtrust import parse_certificate
from csa_identity.domain.messages import CATALOGUE, LANGUAGES, error_message, message
from csa_identity.domain.passwords import PasswordHasher
from csa_identity.domain.principals import (
    Agent,
    AgentKind,
    ProviderClient,
    agent_access_claims,
    authenticate_agent,
    authenticate_client,
    new_client_secret,
    new_totp_secret,
    provider_access_claims,
)
from csa_identity.domain.virtual_office import register_certificate
from csa_shared.auth import PrincipalKind

from .conftest import GOOD_PASSWORD, NOW


def test_provider_client_secret_authenticates_and_token_is_scoped_to_provider(
    code_hasher: CodeHasher,
) -> None:
    secret = new_client_secret()
    client = ProviderClient("cli-1", "prov-42", code_hasher.hash(secret))
    assert authenticate_client(client, secret, hasher=code_hasher) is client
    claims = provider_access_claims(client, audience=["attendance"])
    assert claims.scopes == ("provider:prov-42",) and claims.kind is PrincipalKind.PROVIDER
    for bad in (None, ProviderClient("cli-1", "prov-42", client.secret_hash, active=False)):
        with pytest.raises(InvalidClientCredentials):
            authenticate_client(bad, secret, hasher=code_hasher)
    wrong = secret[:-1] + ("Y" if secret.endswith("Z") else "Z")  # always one character off
    with pytest.raises(InvalidClientCredentials):
        authenticate_client(client, wrong, hasher=code_hasher)


@pytest.fixture
def agent(hasher: PasswordHasher) -> Agent:
    return Agent(
        "ag-1",
        AgentKind.COMMUNE,
        hasher.hash(GOOD_PASSWORD),
        new_totp_secret(),
        commune="Esch-sur-Alzette",
    )


def test_agent_logs_in_with_password_and_totp_of_previous_step_but_not_twice(
    agent: Agent, hasher: PasswordHasher, lockout: LockoutPolicy
) -> None:
    code = pyotp.TOTP(agent.totp_secret).at(NOW - timedelta(seconds=30))
    ok = authenticate_agent(
        agent, password=GOOD_PASSWORD, totp_code=code, now=NOW, hasher=hasher, lockout=lockout
    )
    assert ok.error is None and ok.agent is not None
    replay = authenticate_agent(
        ok.agent, password=GOOD_PASSWORD, totp_code=code, now=NOW, hasher=hasher, lockout=lockout
    )
    assert isinstance(replay.error, LoginFailed)
    claims = agent_access_claims(ok.agent, audience=["membership"])
    assert claims.commune == "Esch-sur-Alzette" and claims.roles == ("commune-agent",)


def test_agent_totp_two_steps_old_is_refused_and_five_failures_lock(
    agent: Agent, hasher: PasswordHasher, lockout: LockoutPolicy
) -> None:
    stale = pyotp.TOTP(agent.totp_secret).at(NOW - timedelta(seconds=90))
    for _ in range(5):
        step = authenticate_agent(
            agent, password=GOOD_PASSWORD, totp_code=stale, now=NOW, hasher=hasher, lockout=lockout
        )
        assert isinstance(step.error, LoginFailed)
        assert step.agent is not None
        agent = step.agent
    assert agent.failures.is_locked(NOW)
    fresh = pyotp.TOTP(agent.totp_secret).at(NOW)
    held = authenticate_agent(
        agent, password=GOOD_PASSWORD, totp_code=fresh, now=NOW, hasher=hasher, lockout=lockout
    )
    assert isinstance(held.error, LoginFailed)


def test_commune_agent_without_commune_is_refused(hasher: PasswordHasher) -> None:
    with pytest.raises(ValueError):
        Agent("ag-2", AgentKind.COMMUNE, hasher.hash(GOOD_PASSWORD), new_totp_secret())


def certificate_pem(days_valid: int) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Marie Muster")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "LuxTrust Test CA")]))
        .public_key(key.public_key())
        .serial_number(0xABC123)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=days_valid))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_luxtrust_certificate_is_stored_as_subject_serial_and_fingerprint(
    account: ParentAccount,
) -> None:
    parsed = parse_certificate(certificate_pem(365), now=NOW)
    assert parsed.subject == "CN=Marie Muster"
    assert parsed.serial_number == "abc123"
    assert len(parsed.sha256_fingerprint) == 64
    once = register_certificate(account, parsed)
    assert register_certificate(once, parsed).certificates == (parsed,)


def test_expired_or_garbage_certificate_is_rejected() -> None:
    with pytest.raises(CertificateRejected, match="expired"):
        parse_certificate(certificate_pem(1), now=NOW + timedelta(days=2))
    with pytest.raises(CertificateRejected, match="unreadable"):
        parse_certificate(b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----", now=NOW)


def test_every_message_exists_in_lb_de_fr_en_pt() -> None:
    assert set(LANGUAGES) == {"lb", "de", "fr", "en", "pt"}
    for key, texts in CATALOGUE.items():
        assert set(texts) >= set(LANGUAGES), key
        assert all(texts[lang].strip() for lang in LANGUAGES), key


def test_every_message_has_a_portuguese_text_of_its_own_with_the_same_placeholders() -> None:
    def placeholders(text: str) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(text) if name}

    for key, texts in CATALOGUE.items():
        assert texts["pt"] not in (texts["fr"], texts["en"]), key
        assert placeholders(texts["pt"]) == placeholders(texts["fr"]), key


def test_sms_text_carries_the_code_in_luxembourgish_and_portuguese() -> None:
    assert "123456" in message("sms.otp", "lb", code="123456")
    assert message("sms.otp", "pt", code="123456") == (
        "O seu código CSA: 123456. É válido durante 60 segundos. Não o partilhe com ninguém."
    )
    assert message("sms.otp", "it", code="1") == message("sms.otp", "fr", code="1")


def test_letters_go_out_in_portuguese_and_other_languages_in_french() -> None:
    assert (letter_language("pt"), letter_language("it"), letter_language(None)) == (
        "pt",
        "fr",
        "fr",
    )


def test_error_message_for_a_portuguese_parent_is_in_portuguese() -> None:
    text = error_message(TooManyAttempts(timedelta(seconds=61)), "pt")
    assert text == "Demasiadas tentativas. Tente novamente dentro de 2 minutos."


def test_lockout_error_message_rounds_wait_up_to_minutes() -> None:
    text = error_message(TooManyAttempts(timedelta(seconds=61)), "en")
    assert text == "Too many attempts. Try again in 2 minutes."


def test_every_parent_facing_error_code_has_a_message() -> None:
    def subclasses(cls: type[IdentityError]) -> list[type[IdentityError]]:
        found = cls.__subclasses__()
        return found + [s for c in found for s in subclasses(c)]

    internal = {
        "client.invalid",
        "iam_code.exhausted",
        "session.reused",
        "otp.rejected",
        "password.weak",
    }
    codes = {c.code for c in subclasses(IdentityError)} - internal
    assert codes <= set(CATALOGUE), codes - set(CATALOGUE)
