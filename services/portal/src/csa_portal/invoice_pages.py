"""Invoices per child and month, newest first; one invoice line by line; its PDF."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response

from csa_portal.api import ApiError, PublicApis
from csa_portal.problems import N_
from csa_portal.sessions import Session
from csa_portal.web import current_session, portal_of, render

router = APIRouter()
T = TypeVar("T")

RULES = {
    "tranche_1": N_("Tranche 1 (free of charge for the parent)"),
    "tranche_2": N_("Tranche 2"),
    "tranche_3": N_("Tranche 3"),
    "unsupported": N_("Hours beyond the weekly maximum (full price)"),
    "plurilingual_free": N_("Free hours, plurilingual education"),
    "school_free": N_("Free hours during school weeks"),
    "no_contract": N_("No valid contract (full price)"),
    "meal_category_rate": N_("Meals at the category rate"),
    "meal_extra": N_("Meals beyond five a week (full price)"),
    "meal_free_school_week": N_("Free meals, school week"),
    "meal_free_rmg": N_("Free meals (REVIS)"),
    "meal_free_holiday_low_income": N_("Free meals, holidays, low income"),
}


class SignInAgain(Exception):
    """The session at identity ended (refresh refused): the visitor logs in again."""


async def as_parent(request: Request, session: Session, call: Callable[[str], Awaitable[T]]) -> T:
    """``call`` with the parent's access token; once more after a refresh when it expired."""
    assert session.access_token is not None
    try:
        return await call(session.access_token)
    except ApiError as error:
        if error.status != 401 or not session.refresh_token:
            raise
    try:
        tokens = await portal_of(request).apis.refresh(session.refresh_token)
    except ApiError as error:
        session.access_token = session.refresh_token = None
        raise SignInAgain from error
    session.access_token = str(tokens["access_token"])
    session.refresh_token = str(tokens["refresh_token"])
    return await call(session.access_token)


def _money(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def weeks_of(invoice: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines by billed week (its Monday, in invoice order) with the week's subtotals."""
    weeks: dict[str, dict[str, Any]] = {}
    for line in invoice.get("lines", []):
        week = weeks.setdefault(
            str(line.get("week", "")),
            {
                "week": str(line.get("week", "")),
                "lines": [],
                "parent": Decimal("0"),
                "state": Decimal("0"),
            },
        )
        week["lines"].append(line)
        week["parent"] += _money(line.get("parent_amount"))
        week["state"] += _money(line.get("state_amount"))
    return list(weeks.values())


def by_child(invoices: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each child's invoices, newest month first (a correction after what it corrects)."""
    children: dict[str, list[dict[str, Any]]] = {}
    for invoice in invoices:
        children.setdefault(str(invoice["child_id"]), []).append(invoice)
    return [
        (child, sorted(rows, key=lambda i: (i["month"], i.get("number", "")), reverse=True))
        for child, rows in sorted(children.items())
    ]


class NotSignedIn(Exception):
    """A parent's page asked for without a signed-in session: the login page answers."""


async def fetched(request: Request, call: Callable[[PublicApis, str], Awaitable[T]]) -> T:
    """What ``call`` reads with the signed-in parent's token (the app turns a failure into
    the login page or a message page)."""
    session = current_session(request)
    if session is None or not session.signed_in:
        raise NotSignedIn
    apis = portal_of(request).apis
    return await as_parent(request, session, lambda token: call(apis, token))


async def child_names(request: Request) -> dict[str, str]:
    """Each child's name from its contract; the invoices show without them should
    membership not answer."""
    try:
        contracts = await fetched(request, PublicApis.contracts)
    except ApiError:
        return {}
    return {
        str(c["child_id"]): f"{c.get('child_first_name', '')} {c.get('child_last_name', '')}"
        for c in contracts
    }


KINDS = {"invoice", "correction"}


def years_of(invoices: list[dict[str, Any]]) -> list[str]:
    """The years with an invoice, newest first."""
    return sorted({str(i["month"])[:4] for i in invoices}, reverse=True)


def matching(
    invoices: list[dict[str, Any]], *, year: str = "", kind: str = ""
) -> list[dict[str, Any]]:
    """The invoices of ``year`` (all years when empty) and of one kind: monthly invoices
    or corrections (adjustments of a month already billed)."""
    return [
        i
        for i in invoices
        if (not year or str(i["month"]).startswith(f"{year}-"))
        and (not kind or (i.get("kind") == "invoice") == (kind == "invoice"))
    ]


@router.get("/invoices")
async def invoices(request: Request, child: str = "", year: str = "", kind: str = "") -> Response:
    found = await fetched(request, PublicApis.invoices)
    groups = by_child(found)
    years = years_of(found)
    year = year if year in years else ""
    kind = kind if kind in KINDS else ""
    shown = by_child(matching(found, year=year, kind=kind))
    return render(
        request,
        "invoices.html",
        current_session(request),
        groups=[g for g in shown if not child or g[0] == child],
        children=[c for c, _ in groups],
        names=await child_names(request),
        child=child,
        years=years,
        year=year,
        kind=kind,
        filtered=bool(child or year or kind),
        welcome=request.query_params.get("welcome") == "1",
        email_rejected=request.query_params.get("email") == "rejected",
    )


@router.get("/invoices/{invoice_id}.pdf")
async def invoice_pdf(request: Request, invoice_id: str) -> Response:
    pdf = await fetched(request, lambda apis, token: apis.invoice_pdf(token, invoice_id))
    filename = re.sub(r"[^A-Za-z0-9-]", "", invoice_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="invoice-{filename}.pdf"'},
    )


@router.get("/invoices/{invoice_id}")
async def invoice(request: Request, invoice_id: str) -> Response:
    found = await fetched(request, lambda apis, token: apis.invoice(token, invoice_id))
    return render(
        request,
        "invoice.html",
        current_session(request),
        invoice=found,
        weeks=weeks_of(found),
        rules=RULES,
    )
