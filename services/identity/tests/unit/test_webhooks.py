"""The webhooks' pure rules: who receives which event and what it carries, the targets
allowed, the Standard Webhooks signature and the back-off."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csa_identity.domain.webhooks import (
    MAX_ATTEMPTS,
    derive_secret,
    next_attempt,
    notification_of,
    payload,
    signature,
    target_problem,
)

NOW = datetime(2026, 9, 1, 8, tzinfo=UTC)


def test_the_signature_is_the_standard_webhooks_one() -> None:
    # the test vector of the Standard Webhooks reference library (libraries/python tests)
    assert (
        signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            message_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp=1614265330,
            body='{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_a_secret_depends_on_the_pepper_and_the_salt() -> None:
    pepper = bytes(range(32))
    secret = derive_secret(pepper, b"salt-1")
    assert secret.startswith("whsec_") and secret == derive_secret(pepper, b"salt-1")
    assert secret != derive_secret(pepper, b"salt-2")
    assert secret != derive_secret(bytes(32), b"salt-1")


@pytest.mark.parametrize(
    ("url", "allow_http_localhost", "accepted"),
    [
        ("https://crechesoft.example.lu/hooks", False, True),
        ("https://crechesoft.example.lu:8443/hooks?x=1", False, True),
        ("http://crechesoft.example.lu/hooks", False, False),
        ("http://crechesoft.example.lu/hooks", True, False),
        ("http://127.0.0.1:8080/hooks", False, False),
        ("http://127.0.0.1:8080/hooks", True, True),
        ("http://localhost/hooks", True, True),
        ("https://user:pw@crechesoft.example.lu/", False, False),
        ("https://crechesoft.example.lu/#frag", False, False),
        ("https:///no-host", False, False),
        ("https://crechesoft.example.lu:port/", False, False),
        ("ftp://crechesoft.example.lu/", True, False),
        ("crechesoft.example.lu/hooks", False, False),
        ("https://127.0.0.1/hooks", False, False),
        ("https://localhost/hooks", False, False),
        ("https://10.1.2.3/hooks", False, False),
        ("https://169.254.169.254/latest/meta-data", True, False),
        ("https://[::1]/hooks", False, False),
        ("https://[fd00::1]/hooks", False, False),
        ("https://193.0.6.139/hooks", False, True),
        ("https://[::1]:8443/hooks", True, True),
    ],
)
def test_only_https_targets_and_local_http_where_allowed(
    url: str, allow_http_localhost: bool, accepted: bool
) -> None:
    assert (target_problem(url, allow_http_localhost=allow_http_localhost) is None) is accepted


def test_an_invoice_goes_to_each_of_its_providers_without_the_family_s_amounts() -> None:
    data = {
        "invoice_id": "inv-1",
        "number": "2026-09-000123",
        "month": "2026-09",
        "corrects_month": "2026-09",
        "child_id": "child-1",
        "household_id": "hh-1",
        "kind": "adjustment",
        "original_invoice_id": "inv-0",
        "parent_total": "123.45",
        "state_total": "300.00",
        "providers": ["prov-1", "prov-2"],
    }
    found = notification_of("lu.csa.billing.invoice.issued.v1", data)
    assert found is not None
    assert found.type == "adjustment.issued"
    assert found.provider_ids == {"prov-1", "prov-2"}
    assert "parent_total" not in found.data and "household_id" not in found.data
    body = json.loads(payload(found, occurred_at=NOW))
    assert body == {
        "type": "adjustment.issued",
        "timestamp": "2026-09-01T08:00:00Z",
        "data": found.data,
    }


def test_a_presence_goes_to_its_provider_only_and_other_events_to_nobody() -> None:
    found = notification_of(
        "lu.csa.attendance.presence.recorded.v1", {"provider_id": "prov-3", "presence_id": "p"}
    )
    assert found is not None and found.provider_ids == {"prov-3"}
    assert found.type == "presence.recorded"
    assert notification_of("lu.csa.billing.period.closed.v1", {"month": "2026-09"}) is None
    assert notification_of("lu.csa.membership.child.registered.v1", {"child_id": "c"}) is None


@given(st.integers(min_value=1, max_value=MAX_ATTEMPTS - 1))
def test_the_back_off_grows_within_twelve_hours(attempts: int) -> None:
    wait = next_attempt(attempts, NOW)
    assert wait is not None
    assert timedelta(seconds=30) <= wait - NOW <= timedelta(hours=12)
    later = next_attempt(attempts + 1, NOW)
    assert later is None or later >= wait


def test_the_deliveries_are_given_up_after_the_last_attempt() -> None:
    assert next_attempt(1, NOW) == NOW + timedelta(seconds=30)
    assert next_attempt(2, NOW) == NOW + timedelta(minutes=2)
    assert next_attempt(MAX_ATTEMPTS, NOW) is None
