"""Kafka TLS and SASL (SCRAM-SHA-512) settings reach every aiokafka client.

The local broker (Tansu) cannot authenticate, so nothing here logs in to a real broker.
Instead: a CA and a broker certificate made with ``cryptography``, and a TLS listener on
loopback with that certificate which plays a broker's first steps: it answers ApiVersions,
answers SaslHandshake with SCRAM-SHA-512, records SCRAM's client-first message (it names
the user) and hangs up. A client that did not get the CA fails the TLS handshake; one
without the SASL settings sends no SaslHandshake. The consumers' keyword arguments are
checked as aiokafka receives them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from csa_shared.bus.kafka import KafkaBus, ensure_topics
from csa_shared.bus.security import client_security, security_problems
from csa_shared.runtime import build_bus
from csa_shared.settings import Settings

PASSWORD = "scram-password-from-the-kafkauser-secret"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey]
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer[0]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A cluster CA (as Strimzi's ``ca.crt``) and a broker certificate for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        _certificate("csa-kafka cluster CA", ca_key, ("csa-kafka cluster CA", ca_key))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    broker_key = ec.generate_private_key(ec.SECP256R1())
    broker = (
        _certificate("csa-kafka-kafka-bootstrap", broker_key, ("csa-kafka cluster CA", ca_key))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = {name: folder / f"{name}.pem" for name in ("ca", "broker", "broker-key")}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["broker"].write_bytes(broker.public_bytes(serialization.Encoding.PEM))
    paths["broker-key"].write_bytes(
        broker_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


API_VERSIONS, SASL_HANDSHAKE, SASL_AUTHENTICATE = 18, 17, 36


@dataclass
class TlsListener:
    """Accepts TLS connections, keeps every request, answers up to the SCRAM exchange."""

    bootstrap: str = ""
    requests: list[bytes] = field(default_factory=list)

    def api_keys(self) -> list[int]:
        return [int.from_bytes(request[:2], "big") for request in self.requests]


def _answer(request: bytes) -> bytes | None:
    """The broker's response to ApiVersions (v0) and SaslHandshake; None: hang up."""
    api_key, correlation = int.from_bytes(request[:2], "big"), request[4:8]
    if api_key == API_VERSIONS:
        versions = [(API_VERSIONS, 0, 0), (SASL_HANDSHAKE, 0, 1), (SASL_AUTHENTICATE, 0, 0)]
        body = len(versions).to_bytes(4, "big") + b"".join(
            key.to_bytes(2, "big") + low.to_bytes(2, "big") + high.to_bytes(2, "big")
            for key, low, high in versions
        )
        return correlation + b"\x00\x00" + body
    if api_key == SASL_HANDSHAKE:
        mechanism = b"SCRAM-SHA-512"
        return (
            correlation
            + b"\x00\x00"
            + (1).to_bytes(4, "big")
            + len(mechanism).to_bytes(2, "big")
            + mechanism
        )
    return None


@pytest.fixture
async def listener(pki: dict[str, Path]) -> AsyncIterator[TlsListener]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pki["broker"], pki["broker-key"])
    found = TlsListener()

    async def broker_steps(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while True:
                size = int.from_bytes(await reader.readexactly(4), "big")
                found.requests.append(await reader.readexactly(size))
                answer = _answer(found.requests[-1])
                if answer is None:
                    break
                writer.write(len(answer).to_bytes(4, "big") + answer)
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(broker_steps, "127.0.0.1", 0, ssl=context)
    found.bootstrap = f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server:
        yield found


def _settings(pki: dict[str, Path], tmp_path: Path, bootstrap: str = "127.0.0.1:9093") -> Settings:
    password = tmp_path / "password"
    password.write_text(PASSWORD + "\n", encoding="utf-8")
    return Settings(
        KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        KAFKA_SASL_MECHANISM="SCRAM-SHA-512",
        KAFKA_SASL_USERNAME="csa-billing",
        KAFKA_SASL_PASSWORD=PASSWORD,
        KAFKA_SSL_CA_FILE=pki["ca"],
    )


def _logged_in_with_scram(listener: TlsListener) -> bool:
    """Each connection: ApiVersions, SaslHandshake naming SCRAM-SHA-512, then SCRAM's
    client-first message for the configured user (``n,,n=csa-billing,r=<nonce>``)."""
    keys = listener.api_keys()
    handshakes = [r for r in listener.requests if int.from_bytes(r[:2], "big") == SASL_HANDSHAKE]
    return (
        keys[:3] == [API_VERSIONS, SASL_HANDSHAKE, SASL_AUTHENTICATE]
        and all(b"SCRAM-SHA-512" in r for r in handshakes)
        and b"n,,n=csa-billing,r=" in listener.requests[2]
    )


def test_the_settings_become_aiokafka_keyword_arguments(
    pki: dict[str, Path], tmp_path: Path
) -> None:
    security = client_security(_settings(pki, tmp_path))
    context = security.pop("ssl_context")
    assert security == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "csa-billing",
        "sasl_plain_password": PASSWORD,
    }
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert [c["subject"] for c in context.get_ca_certs()] == [
        ((("commonName", "csa-kafka cluster CA"),),)
    ]
    assert client_security(Settings()) == {}  # plaintext: nothing added


async def test_every_consumer_gets_the_security_settings(
    pki: dict[str, Path], tmp_path: Path
) -> None:
    bus = build_bus(_settings(pki, tmp_path), client_id="csa-billing")
    assert isinstance(bus, KafkaBus)
    consumer = AIOKafkaConsumer("csa.attendance.events", **bus.consumer_options("billing.g"))
    client = consumer._client
    assert (client._security_protocol, client._sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (client._sasl_plain_username, client._sasl_plain_password) == ("csa-billing", PASSWORD)
    assert client._ssl_context is bus.security["ssl_context"]


async def test_the_producer_verifies_the_broker_with_the_ca_and_starts_scram(
    pki: dict[str, Path], tmp_path: Path, listener: TlsListener
) -> None:
    bus = build_bus(_settings(pki, tmp_path, listener.bootstrap), client_id="csa-billing")
    assert await bus.ping() is False  # the listener is no broker
    await bus.stop()
    assert _logged_in_with_scram(listener), listener.requests


async def test_topic_administration_verifies_the_broker_and_starts_scram(
    pki: dict[str, Path], tmp_path: Path, listener: TlsListener
) -> None:
    settings = _settings(pki, tmp_path, listener.bootstrap)
    with pytest.raises(Exception):  # noqa: B017  (whatever aiokafka raises once hung up on)
        await ensure_topics(
            listener.bootstrap, ["t"], timeout_s=2.0, security=client_security(settings)
        )
    assert _logged_in_with_scram(listener), listener.requests


async def test_without_the_ca_the_handshake_fails_before_any_request(
    pki: dict[str, Path], tmp_path: Path, listener: TlsListener
) -> None:
    settings = _settings(pki, tmp_path, listener.bootstrap).model_copy(
        update={"kafka_ssl_ca_file": None}
    )
    bus = build_bus(settings, client_id="csa-billing")
    assert await bus.ping() is False
    await bus.stop()
    assert listener.requests == []


def test_contradictory_settings_are_named() -> None:
    assert security_problems(Settings(KAFKA_SASL_MECHANISM="SCRAM-SHA-512")) == [
        "KAFKA_SASL_MECHANISM is set but KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not "
        "authenticate (SASL_SSL or SASL_PLAINTEXT)"
    ]
    with pytest.raises(ValueError, match="needs KAFKA_SASL_PASSWORD"):
        client_security(
            Settings(
                KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT",
                KAFKA_SASL_MECHANISM="SCRAM-SHA-512",
                KAFKA_SASL_USERNAME="u",
            )
        )
