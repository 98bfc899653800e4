"""How the Kafka clients authenticate: TLS and SASL (SCRAM) from the settings.

``client_security(settings)`` is the keyword arguments every aiokafka client of the process
gets (producer, consumers, admin, the LeaveGroup client): ``security_protocol``, the SASL
mechanism and credentials, and an SSL context that trusts ``KAFKA_SSL_CA_FILE`` (the
system's CAs when unset) and checks the broker's host name. Strimzi: listener
``authentication: scram-sha-512`` with ``tls: true`` is ``SASL_SSL`` + ``SCRAM-SHA-512``,
the CA from the Secret ``<cluster>-cluster-ca-cert``, the password from the KafkaUser's Secret.
"""

from __future__ import annotations

import ssl
from typing import Any

from csa_shared.settings import Settings

KafkaClientSecurity = dict[str, Any]


def client_security(settings: Settings) -> KafkaClientSecurity:
    """aiokafka keyword arguments for the configured security protocol (empty: plaintext)."""
    problems = security_problems(settings)
    if problems:
        raise ValueError("; ".join(problems))
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return {}
    security: KafkaClientSecurity = {"security_protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        security["ssl_context"] = tls_context(settings)
    if protocol in ("SASL_PLAINTEXT", "SASL_SSL"):
        assert settings.kafka_sasl_password is not None  # security_problems checked it
        security["sasl_mechanism"] = settings.kafka_sasl_mechanism
        security["sasl_plain_username"] = settings.kafka_sasl_username
        security["sasl_plain_password"] = settings.kafka_sasl_password.get_secret_value()
    return security


def tls_context(settings: Settings) -> ssl.SSLContext:
    """Verifies the broker's certificate against ``KAFKA_SSL_CA_FILE`` and its host name."""
    ca_file = settings.kafka_ssl_ca_file
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def security_problems(settings: Settings) -> list[str]:
    """What is missing or contradictory in the Kafka security settings (empty: usable)."""
    protocol = settings.kafka_security_protocol
    problems: list[str] = []
    if protocol.startswith("SASL_"):
        if settings.kafka_sasl_mechanism is None:
            problems.append(f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_MECHANISM")
        if not settings.kafka_sasl_username:
            problems.append(f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_USERNAME")
        if not settings.kafka_sasl_password or not settings.kafka_sasl_password.get_secret_value():
            problems.append(
                f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_PASSWORD (or _FILE)"
            )
    elif settings.kafka_sasl_mechanism is not None:
        problems.append(
            f"KAFKA_SASL_MECHANISM is set but KAFKA_SECURITY_PROTOCOL={protocol} does not "
            "authenticate (SASL_SSL or SASL_PLAINTEXT)"
        )
    ca_file = settings.kafka_ssl_ca_file
    if ca_file is not None:
        if protocol not in ("SSL", "SASL_SSL"):
            problems.append(f"KAFKA_SSL_CA_FILE is set but KAFKA_SECURITY_PROTOCOL={protocol}")
        elif not ca_file.is_file():
            problems.append(f"KAFKA_SSL_CA_FILE {ca_file} is not a readable file")
    return problems
