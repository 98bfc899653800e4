"""Outgoing letters: rendered as PDF (fpdf2) into the ``letters`` spool table.

The print shop takes unexported letters (``export_letters``); embedded mode lists them at
``GET /v1/dev/letters``. Letter language is the contract's (lb/de/fr/en/pt); any other
language falls back to French, the catalogue's fallback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fpdf import FPDF
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.domain.messages import FALLBACK_LANGUAGE, LANGUAGES
from csa_identity.tables import letters
from csa_shared.clock import as_luxembourg

SENDER = "Staark Kanner - CSA, L-2926 Luxembourg"


def letter_language(language: str | None) -> str:
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def address_lines(recipient: dict[str, Any]) -> list[str]:
    """Name and postal address from a loosely shaped recipient document."""
    lines = [str(recipient.get("name") or "").strip()]
    if isinstance(recipient.get("address"), dict) and recipient["address"].get("recipient"):
        lines.insert(0, str(recipient["address"]["recipient"]))
    address = recipient.get("address") or {}
    if isinstance(address, dict):
        street = str(address.get("line") or address.get("line1") or "")
        town = " ".join(
            str(address.get(k) or "") for k in ("postcode", "postal_code", "locality", "city")
        ).strip()
        lines += [street, town, str(address.get("country") or "")]
    elif isinstance(address, str):
        lines += address.splitlines()
    return [line for line in lines if line]


def render_pdf(*, recipient: dict[str, Any], body: str, issued_on: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 5, _latin1(SENDER), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("Helvetica", size=11)
    for line in address_lines(recipient):
        pdf.cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.cell(0, 6, issued_on, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.multi_cell(0, 7, _latin1(body))
    return bytes(pdf.output())


async def spool_letter(
    session: AsyncSession,
    *,
    kind: str,
    language: str,
    recipient: dict[str, Any],
    body: str,
    now: datetime,
    child_id: str | None = None,
    account_id: str | None = None,
) -> None:
    pdf = render_pdf(
        recipient=recipient, body=body, issued_on=as_luxembourg(now).date().isoformat()
    )
    await session.execute(
        letters.insert().values(
            kind=kind,
            child_id=child_id,
            account_id=account_id,
            language=language,
            recipient=recipient,
            body=body,
            pdf=pdf,
            created_at=now,
        )
    )


async def list_letters(session: AsyncSession, *, limit: int = 50) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(letters.c[*_LISTED]).order_by(letters.c.id.desc()).limit(limit)
    )
    return [dict(row._mapping) for row in rows]


async def letter_pdf(session: AsyncSession, letter_id: int) -> bytes | None:
    pdf: bytes | None = await session.scalar(select(letters.c.pdf).where(letters.c.id == letter_id))
    return pdf


async def export_letters(session: AsyncSession, *, now: datetime) -> list[tuple[int, bytes]]:
    """The print-shop batch: every unexported letter, marked exported in this transaction."""
    rows = (
        await session.execute(
            select(letters.c.id, letters.c.pdf)
            .where(letters.c.exported_at.is_(None))
            .order_by(letters.c.id)
        )
    ).all()
    if rows:
        ids = [row.id for row in rows]
        await session.execute(update(letters).where(letters.c.id.in_(ids)).values(exported_at=now))
    return [(row.id, row.pdf) for row in rows]


_LISTED = ("id", "kind", "child_id", "account_id", "language", "recipient", "body", "created_at")
