"""LuxTrust certificate registered in the virtual office (csa-rules.md §9, seed 000).

The parent uploads the certificate (X.509, PEM). It must parse, carry a subject and a
serial number, and be within its validity period at ``now``; it is stored as subject
(RFC 4514 string), serial (hex), SHA-256 fingerprint (hex) and expiry.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from csa_identity.domain.accounts import LuxTrustCertificate
from csa_identity.domain.errors import CertificateRejected
from csa_identity.domain.instants import require_aware


def parse_certificate(pem: bytes | str, *, now: datetime) -> LuxTrustCertificate:
    """The certificate's stored form, or ``CertificateRejected``."""
    require_aware(now)
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        certificate = x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise CertificateRejected("certificate.unreadable") from exc
    subject = certificate.subject.rfc4514_string()
    if not subject:
        raise CertificateRejected("certificate.no_subject")
    if now < certificate.not_valid_before_utc:
        raise CertificateRejected("certificate.not_yet_valid")
    if now > certificate.not_valid_after_utc:
        raise CertificateRejected("certificate.expired")
    return LuxTrustCertificate(
        subject=subject,
        serial_number=format(certificate.serial_number, "x"),
        sha256_fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        not_valid_after=certificate.not_valid_after_utc,
        registered_at=now,
    )
