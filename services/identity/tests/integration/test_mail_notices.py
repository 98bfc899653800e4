"""E-mail notices read back from a local SMTP server (aiosmtpd on a free loopback port):
an issued invoice mails the parent once, in the family's language; a mail server outage
keeps the mail queued until it is back; the 30- and 7-day expiry notices go once each."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from csa_identity.consumers import GROUP as MEMBERSHIP_GROUP
from csa_identity.notices.mailer import SmtpMailer
from csa_identity.notices.runtime import GROUP as NOTICES_GROUP
from csa_identity.notices.service import queue_expiry_notices, send_due_mails
from csa_identity.notices.settings import MailSettings
from csa_identity.office.service import set_email
from csa_identity.tables import mail_outbox, notices
from csa_shared.bus import Message
from csa_shared.events import new_event
from csa_shared.runtime import ServiceRuntime

from .conftest import Clock, register

pytestmark = pytest.mark.postgres


class Inbox:
    """aiosmtpd handler keeping every message the server accepted."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.mails.append(mail)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mailer(smtp_port: int) -> SmtpMailer:
    return SmtpMailer(MailSettings(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_port), timeout=2)


def start_server(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


@pytest.fixture
def smtp(smtp_port: int) -> Iterator[Inbox]:
    controller, inbox = start_server(smtp_port)
    yield inbox
    controller.stop()


def invoice_issued(child_id: str, invoice_id: str = "inv-1", **overrides: Any) -> bytes:
    data = {
        "invoice_id": invoice_id,
        "number": "2026-09-000123",
        "month": "2026-09",
        "corrects_month": "2026-09",
        "child_id": child_id,
        "household_id": "hh-1",
        "kind": "invoice",
        "original_invoice_id": None,
        "parent_total": "123.45",
        "state_total": "300.00",
        "providers": ["prov-1"],
        "provider_id": "prov-1",
        **overrides,
    }
    event = new_event(
        "lu.csa.billing.invoice.issued.v1", source="/csa/billing", subject=child_id, data=data
    )
    return event.to_json()


def contract_signed(child_id: str, valid_until: date, language: str) -> bytes:
    address = {"line": "1, rue Haute", "postcode": "L-9999", "locality": "Wiltz", "country": "LU"}
    data = {
        "contract_id": f"ct-{child_id}",
        "child_id": child_id,
        "household_id": "hh-1",
        "version": 1,
        "category": "lt_2",
        "rank": 1,
        "state_pays_all": False,
        "schooling": "none",
        "birth_date": "2021-03-04",
        "valid_from": "2026-01-01",
        "valid_until": valid_until.isoformat(),
        "effective_from": "2026-01-01",
        "language": language,
        "billing_address": address,
    }
    event = new_event(
        "lu.csa.membership.contract.signed.v1",
        source="/csa/membership",
        subject=child_id,
        data=data,
    )
    return event.to_json()


async def consume(runtime: ServiceRuntime, group: str, topic: str, value: bytes) -> None:
    (consumer,) = [c for c in runtime.consumers if c.name == group]
    await consumer(Message(topic, "k", value, 0, 0))


async def parent_with_email(
    api: httpx.AsyncClient, runtime: ServiceRuntime, child_id: str, email: str, **card: Any
) -> None:
    _, tokens = await register(api, runtime, child_id, **card)
    account_id = runtime.token_verifier.verify(tokens["access_token"]).subject
    await set_email(runtime, account_id, email=email)


async def count(runtime: ServiceRuntime, table: Any) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)))


async def test_an_issued_invoice_mails_the_parent_once_in_the_family_language(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock, mailer: SmtpMailer, smtp: Inbox
) -> None:
    await parent_with_email(api, identity, "child-pt", "ana@example.pt", language="pt")
    event = invoice_issued("child-pt")
    await consume(identity, NOTICES_GROUP, "csa.billing.events", event)
    assert await send_due_mails(identity, mailer, now=clock()) == 1
    # the same event redelivered, and the same invoice in a new envelope: nothing more
    await consume(identity, NOTICES_GROUP, "csa.billing.events", event)
    await consume(identity, NOTICES_GROUP, "csa.billing.events", invoice_issued("child-pt"))
    assert await send_due_mails(identity, mailer, now=clock()) == 0

    (mail,) = smtp.mails
    assert mail["To"] == "ana@example.pt"
    assert mail["Message-ID"].endswith("@csa.lu>") and mail["Date"].datetime.tzinfo
    assert mail["Content-Language"] == "pt"
    assert mail["Subject"] == "CSA: nova fatura 2026-09-000123"
    body = mail.get_content()
    assert "Montante a pagar: 123,45\u00a0€." in body  # pt-PT: decimal comma, euro after
    assert "de setembro de 2026 foi emitida" in body
    assert await count(identity, mail_outbox) == 0  # sent: gone from the outbox


async def test_a_child_without_a_parent_e_mail_gets_no_notice(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock, mailer: SmtpMailer, smtp: Inbox
) -> None:
    await register(api, identity, "child-silent")
    await consume(identity, NOTICES_GROUP, "csa.billing.events", invoice_issued("child-silent"))
    await consume(identity, NOTICES_GROUP, "csa.billing.events", invoice_issued("nobody's"))
    assert await count(identity, mail_outbox) == 0
    assert await send_due_mails(identity, mailer, now=clock()) == 0
    assert smtp.mails == []


async def test_the_mail_server_down_keeps_the_mail_queued_until_it_is_back(
    api: httpx.AsyncClient,
    identity: ServiceRuntime,
    clock: Clock,
    mailer: SmtpMailer,
    smtp_port: int,
) -> None:
    await parent_with_email(api, identity, "child-de", "mia@example.lu", language="de")
    await consume(
        identity,
        NOTICES_GROUP,
        "csa.billing.events",
        invoice_issued("child-de", kind="adjustment", parent_total="-12.00"),
    )
    assert await send_due_mails(identity, mailer, now=clock()) == 0  # nobody listens
    async with identity.sessions() as session:
        (row,) = (await session.execute(select(mail_outbox))).mappings()
    assert row["attempts"] == 1 and row["last_error"]
    assert row["next_attempt"] > clock()  # backing off

    controller, inbox = start_server(smtp_port)
    try:
        assert await send_due_mails(identity, mailer, now=clock()) == 0  # not due yet
        clock.advance(minutes=2)
        assert await send_due_mails(identity, mailer, now=clock()) == 1
        assert await send_due_mails(identity, mailer, now=clock()) == 0
    finally:
        controller.stop()
    (mail,) = inbox.mails
    assert mail["Subject"] == "CSA: Korrekturrechnung 2026-09-000123"
    assert "Betrag: -12,00\u00a0€." in mail.get_content()
    assert await count(identity, mail_outbox) == 0


async def test_the_30_and_7_day_expiry_notices_are_queued_once_each(
    api: httpx.AsyncClient, identity: ServiceRuntime, mailer: SmtpMailer, smtp: Inbox
) -> None:
    await parent_with_email(api, identity, "child-fr", "luc@example.lu")
    valid_until = date(2026, 12, 31)
    await consume(
        identity,
        MEMBERSHIP_GROUP,
        "csa.membership.events",
        contract_signed("child-fr", valid_until, language="fr"),
    )

    async def daily_check(day: date) -> int:
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        with time_machine.travel(noon, tick=False):
            async with identity.unit_of_work() as session:
                now = datetime.now(UTC)
                return await queue_expiry_notices(session, today=now.date(), now=now)

    queued = {}
    day = date(2026, 11, 20)
    while day <= date(2027, 1, 5):  # every day, twice, across the contract's end
        queued[day] = await daily_check(day) + await daily_check(day)
        day += timedelta(days=1)
    assert {d: n for d, n in queued.items() if n} == {date(2026, 12, 1): 1, date(2026, 12, 24): 1}
    async with identity.sessions() as session:
        kinds = sorted((await session.execute(select(notices.c.kind))).scalars())
    assert kinds == ["expiry_30", "expiry_7"]

    assert await send_due_mails(identity, mailer, now=datetime(2026, 12, 24, 13, tzinfo=UTC)) == 2
    subjects = sorted(mail["Subject"] for mail in smtp.mails)
    assert subjects == [  # French typography: a no-break space before the colon
        "CSA\u00a0: le contrat expire dans 30 jours",
        "CSA\u00a0: le contrat expire dans 7 jours",
    ]
    assert "valable jusqu'au 31 décembre 2026." in smtp.mails[0].get_content()


@pytest.mark.parametrize(
    ("language", "subject", "written"),
    [
        ("lb", "CSA: nei Rechnung 2026-09-000123", "Mount September 2026 ass ausgestallt. "
         "Ze bezuelen: 1.234,50\u00a0€."),
        ("en", "CSA: new invoice 2026-09-000123", "for September 2026 has been issued. "
         "Amount to pay: €1,234.50."),
        ("fr", "CSA\u00a0: nouvelle facture 2026-09-000123", "du mois de septembre 2026 a été "
         "émise. Montant à payer\u00a0: 1.234,50\u00a0€."),
    ],
)  # fmt: skip
async def test_the_mail_writes_the_month_and_amount_as_the_family_s_language_does(
    api: httpx.AsyncClient,
    identity: ServiceRuntime,
    clock: Clock,
    mailer: SmtpMailer,
    smtp: Inbox,
    language: str,
    subject: str,
    written: str,
) -> None:
    await parent_with_email(api, identity, "child-x", "x@example.lu", language=language)
    issued = invoice_issued("child-x", parent_total="1234.50")
    await consume(identity, NOTICES_GROUP, "csa.billing.events", issued)
    assert await send_due_mails(identity, mailer, now=clock()) == 1
    (mail,) = smtp.mails
    assert (mail["Subject"], mail["Content-Language"]) == (subject, language)
    assert written in mail.get_content()


async def test_erasing_a_parent_s_only_child_drops_the_mails_still_queued_for_the_account(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    await parent_with_email(api, identity, "child-gone", "gone@example.lu")
    await parent_with_email(
        api, identity, "child-kept", "kept@example.lu", mobile="+352 621 654 321"
    )
    for child_id in ("child-gone", "child-kept"):
        await consume(identity, NOTICES_GROUP, "csa.billing.events", invoice_issued(child_id))
    erased = new_event(
        "lu.csa.membership.child.erased.v1",
        source="/csa/membership",
        subject="child-gone",
        data={"child_id": "child-gone", "household_id": "hh-1", "erased_at": clock().isoformat()},
    )
    await consume(identity, MEMBERSHIP_GROUP, "csa.membership.events", erased.to_json())
    async with identity.sessions() as session:
        recipients = (await session.execute(select(mail_outbox.c.recipient))).scalars().all()
    assert recipients == ["kept@example.lu"]
