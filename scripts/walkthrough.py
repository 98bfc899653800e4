"""Try it: a month from attendance to invoice, against a running ``make run``.

In one terminal ``make run``; in another, from the repository root::

    .venv/bin/python scripts/walkthrough.py [--base-url http://127.0.0.1:8000]

What it does, as a newcomer would, only through the public HTTP APIs and the ``csa`` CLI:

1. bootstrap credentials with ``csa identity create-client`` (the demo provider's system)
   and ``csa identity create-agent`` (a CAE agent; its TOTP comes from the printed URI);
2. the provider posts billing period 2025-03 (5 weeks, 2025-03-03 to 2025-04-06) of
   presences and meals for the demo child in one ``POST /attendance/v1/declarations/batch``,
   then corrects one presence (``POST /attendance/v1/presences/{id}/amend``);
3. waits until billing has received every attendance event, then the agent closes 2025-03
   (``POST /billing/v1/periods/2025-03/close``, long after its grace days) and polls it to
   ``closed``;
4. the parent creates an account with the myCard letter's IAM code + linking code
   (``GET /identity/v1/dev/letters``) and the SMS code (``GET /identity/v1/dev/sms``),
   logs in (IAM code + password + SMS code), lists the invoices and prints the 2025-03
   invoice line by line; its PDF goes to ``$CSA_VAR_DIR/walkthrough-invoice.pdf``.

Run it again: new credentials are created, the closed period is only read (a closed period
never changes), and the parent, whose linking code is spent, just logs in.

The ``csa identity`` commands write into the same databases as ``make run``: they run from
the repository root with this process's environment (``CSA_VAR_DIR``, default ``./var``).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pyotp

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
MONTH = "2025-03"
PERIOD_START = date(2025, 3, 3)  # first Monday of March 2025 (csa-rules.md §7)
PROVIDER = "demo-sea-001"  # attendance's demo crèche (services/attendance/.../demo.py)
CHILD = "demo-child-001"  # membership's demo child Mia Muller (services/membership/.../demo.py)
PARENT_MOBILE = "+352 621 000 301"
PARENT_PASSWORD = "walk through the month of march"
AGENT_PASSWORD = "walk-through-agent-pass-42"
CORRECTED_DAY = date(2025, 3, 12)
CORRECTED_TIMES = (clock(8), clock(14, 30))
CORRECTION_REASON = "left at 14:30, the parent called"


class WalkthroughError(RuntimeError):
    """A step failed; the message says which and what to do."""


# --- the month of attendance -------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    start: clock
    end: clock
    meals: int
    record_id: str


def month_plan() -> list[Day]:
    """The month as the provider first declares it (one presence and its meals per day).

    Week 1 is the demo week that ``make run`` already loaded (record ids ``demo-<day>``):
    declaring it again under the same ids is answered ``duplicate``, so the batch states the
    whole month. Week 2's Wednesday is declared 08:00-17:00 and then corrected.
    """
    plan: list[Day] = []
    for week in range(5):
        monday = PERIOD_START + timedelta(weeks=week)
        if week == 3:  # a long week: 5 x 11 h + Saturday 6 h = 61 h, and a 6th meal
            days = [(monday + timedelta(d), clock(7, 30), clock(18, 30)) for d in range(5)]
            days.append((monday + timedelta(5), clock(9), clock(15)))
        elif week == 4:  # a short week: Monday to Wednesday
            days = [(monday + timedelta(d), clock(8), clock(17)) for d in range(3)]
        else:
            days = [(monday + timedelta(d), clock(8), clock(17)) for d in range(5)]
        prefix = "demo" if week == 0 else "walkthrough"
        plan.extend(Day(d, s, e, 1, f"{prefix}-{d.isoformat()}") for d, s, e in days)
    return plan


def batch_items(plan: list[Day]) -> list[dict[str, Any]]:
    """Presences and meals in the shape of ``POST /attendance/v1/declarations/batch``."""
    items: list[dict[str, Any]] = []
    for d in plan:
        items.append(
            {
                "kind": "presence",
                "record_id": d.record_id,
                "child_id": CHILD,
                "start": datetime.combine(d.day, d.start).isoformat(),
                "end": datetime.combine(d.day, d.end).isoformat(),
            }
        )
        items.append(
            {
                "kind": "meal",
                "record_id": f"walkthrough-meal-{d.day.isoformat()}",
                "child_id": CHILD,
                "day": d.day.isoformat(),
                "count": d.meals,
            }
        )
    return items


# --- bootstrap through the csa command line ----------------------------------------------


def csa(*args: str, env: Mapping[str, str] | None = None) -> str:
    """Run ``csa ...`` (this interpreter's) from the repository root; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "csa", *args],
        cwd=REPO,
        env=dict(env if env is not None else os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise WalkthroughError(f"csa {' '.join(args)} failed:\n{done.stderr or done.stdout}")
    return done.stdout


def create_provider_client(
    provider_id: str = PROVIDER, env: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """``csa identity create-client``: the provider system's client id and secret."""
    out = csa("identity", "create-client", provider_id, env=env)
    client_id = re.search(r"^client_id: (\S+)$", out, re.M)
    secret = re.search(r"^client_secret \(shown once\): (\S+)$", out, re.M)
    if not client_id or not secret:
        raise WalkthroughError(f"unexpected output of csa identity create-client:\n{out}")
    return client_id.group(1), secret.group(1)


def create_agent(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """``csa identity create-agent``: a new CAE agent; its id and TOTP provisioning URI."""
    agent_id = f"walkthrough-agent-{secrets.token_hex(3)}"
    out = csa(
        "identity",
        "create-agent",
        agent_id,
        "--kind",
        "cae",
        "--office",
        "CAE walkthrough",
        "--password",
        AGENT_PASSWORD,
        env=env,
    )
    uri = re.search(r"(otpauth://\S+)", out)
    if not uri:
        raise WalkthroughError(f"unexpected output of csa identity create-agent:\n{out}")
    return agent_id, uri.group(1)


# --- HTTP --------------------------------------------------------------------------------


def _check(response: httpx.Response, *expected: int) -> Any:
    if response.status_code not in expected:
        problem = response.text[:2000]
        hint = ""
        if response.status_code == 429:
            wait = response.headers.get("Retry-After", "a few")
            hint = f"\n(SMS codes are limited to 3 per 10 minutes: wait {wait} s and run again)"
        raise WalkthroughError(
            f"{response.request.method} {response.request.url} answered "
            f"{response.status_code}: {problem}{hint}"
        )
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.json()
    return response.content


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def provider_token(http: httpx.Client, client_id: str, secret: str) -> str:
    """OAuth2 client credentials (``POST /identity/v1/oauth/token``)."""
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    response = http.post("/identity/v1/oauth/token", data=body)
    if response.status_code == 401:
        raise WalkthroughError(
            "the new provider client is unknown to the server: run this script from the "
            "repository root with the same CSA_VAR_DIR as `make run`"
        )
    return str(_check(response, 200)["access_token"])


def agent_token(http: httpx.Client, agent_id: str, totp_uri: str) -> str:
    """Agent login: password + the TOTP the authenticator app would show."""
    otp = pyotp.parse_uri(totp_uri)
    assert isinstance(otp, pyotp.TOTP), totp_uri
    code = otp.now()
    body = {"agent_id": agent_id, "password": AGENT_PASSWORD, "totp": code}
    return str(_check(http.post("/identity/v1/agents/login", json=body), 200)["access_token"])


def period(http: httpx.Client, agent: str, month: str = MONTH) -> dict[str, Any] | None:
    """``GET /billing/v1/periods/{month}``; None before the close has started."""
    response = http.get(f"/billing/v1/periods/{month}", headers=bearer(agent))
    if response.status_code == 404:
        return None
    return dict(_check(response, 200))


def post_month(http: httpx.Client, provider: str, plan: list[Day]) -> dict[str, Any]:
    """One batch with the whole month; every item must be accepted or a duplicate."""
    body = {"items": batch_items(plan)}
    result = _check(
        http.post("/attendance/v1/declarations/batch", json=body, headers=bearer(provider)), 200
    )
    rejected = [r for r in result["results"] if r["outcome"] == "rejected"]
    if rejected:
        raise WalkthroughError(f"attendance rejected {len(rejected)} item(s): {rejected[:3]}")
    return dict(result)


def correct_presence(http: httpx.Client, provider: str, batch: dict[str, Any]) -> bool:
    """Amend the week-2 Wednesday presence (a new version; the first one stays in history).

    False when an earlier, interrupted run already corrected it.
    """
    record_id = f"walkthrough-{CORRECTED_DAY.isoformat()}"
    presence_id = next(r["id"] for r in batch["results"] if r["record_id"] == record_id)
    start, end = (datetime.combine(CORRECTED_DAY, t).isoformat() for t in CORRECTED_TIMES)
    path = f"/attendance/v1/presences/{presence_id}"
    current = _check(http.get(path, headers=bearer(provider)), 200)
    if (current["start"], current["end"]) == (start, end):
        return False
    body = {"start": start, "end": end, "reason": CORRECTION_REASON}
    _check(http.post(f"{path}/amend", json=body, headers=bearer(provider)), 200, 201)
    return True


def _counter(metrics: str, name: str, label: str, value: str) -> float:
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith(name + "{") and f'{label}="{value}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def attendance_events(http: httpx.Client) -> tuple[float, float]:
    """Attendance events published so far, and how many billing's consumer has handled.

    Presences travel attendance → outbox → bus → billing's projection; a close that ran
    before they arrived would bill them next month, as an adjustment. The embedded
    platform's ``/metrics`` counts both sides (one process, one registry).
    """
    text = bytes(_check(http.get("/billing/metrics"), 200)).decode()
    published = _counter(text, "csa_outbox_published_total", "service", "attendance")
    handled = _counter(text, "csa_events_consumed_total", "consumer", "billing.attendance")
    return published, handled


def wait_for(what: str, ready: Any, timeout: float = 60.0, every: float = 0.2) -> Any:
    """Poll ``ready()`` until it returns something truthy (a running server, real time)."""
    deadline = time.monotonic() + timeout
    while True:
        value = ready()
        if value:
            return value
        if time.monotonic() > deadline:
            raise WalkthroughError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(every)


def wait_for_billing(http: httpx.Client, published_before: float, new_events: int) -> None:
    """Until the ``new_events`` attendance events are published and billing handled all."""

    def caught_up() -> bool:
        published, handled = attendance_events(http)
        return published >= published_before + new_events and handled >= published

    wait_for("billing to receive the attendance events", caught_up)


def close_month(http: httpx.Client, agent: str, month: str = MONTH) -> dict[str, Any]:
    """Close as the CAE agent (closing is a national act) and wait for ``closed``."""
    response = http.post(f"/billing/v1/periods/{month}/close", json={}, headers=bearer(agent))
    _check(response, 200, 202)

    def closed() -> dict[str, Any] | None:
        row = period(http, agent, month)
        return row if row and row["status"] == "closed" else None

    return dict(wait_for(f"period {month} to close", closed))


# --- the parent --------------------------------------------------------------------------


def mycard_codes(http: httpx.Client, child_id: str = CHILD) -> tuple[str, str]:
    """IAM code and linking code from the newest myCard letter of the child (dev spool)."""
    letters = _check(http.get("/identity/v1/dev/letters"), 200)
    for letter in letters:
        if letter["kind"] == "mycard" and letter["child_id"] == child_id:
            iam = re.search(r"\b([A-Z][a-z]{2}[A-Z][a-z]\d{3})\b", letter["body"])
            link = re.search(r"\b([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})\b", letter["body"])
            if iam and link:
                return iam.group(1), link.group(1)
    raise WalkthroughError(f"no myCard letter for {child_id} in GET /identity/v1/dev/letters")


def _newest_sms_id(http: httpx.Client) -> int:
    messages = _check(http.get("/identity/v1/dev/sms"), 200)
    return max((m["id"] for m in messages), default=0)


def _sms_code(http: httpx.Client, after_id: int) -> str:
    def arrived() -> str | None:
        for message in _check(http.get("/identity/v1/dev/sms"), 200):
            code = re.search(r"\b(\d{6})\b", message["body"])
            if message["id"] > after_id and code:
                return code.group(1)
        return None

    return str(wait_for("the SMS code", arrived, timeout=10))


def register_parent(http: httpx.Client, iam_code: str, linking_code: str) -> str | None:
    """Create the account (IAM code + linking code + password + mobile, then the SMS code);
    the confirmation signs the parent in: the access token.

    None when the linking code is already spent (an earlier run created the account).
    """
    before = _newest_sms_id(http)
    body = {
        "iam_code": iam_code,
        "linking_code": linking_code,
        "password": PARENT_PASSWORD,
        "mobile": PARENT_MOBILE,
    }
    response = http.post("/identity/v1/registrations", json=body)
    if response.status_code == 422 and "linking_code.rejected" in response.text:
        return None
    flow = _check(response, 202)
    confirm = {"flow_id": flow["flow_id"], "code": _sms_code(http, before)}
    tokens = _check(http.post("/identity/v1/registrations/confirm", json=confirm), 201)
    return str(tokens["access_token"])


def parent_login(http: httpx.Client, iam_code: str) -> str:
    """Login: IAM code + password → SMS code → access token (its ``children`` claim)."""
    before = _newest_sms_id(http)
    body = {"iam_code": iam_code, "password": PARENT_PASSWORD}
    flow = _check(http.post("/identity/v1/login", json=body), 202)
    confirm = {"flow_id": flow["flow_id"], "code": _sms_code(http, before)}
    tokens = _check(http.post("/identity/v1/login/complete", json=confirm), 200)
    return str(tokens["access_token"])


def month_invoice(http: httpx.Client, parent: str, month: str = MONTH) -> dict[str, Any]:
    invoices = _check(
        http.get("/billing/v1/invoices", params={"month": month}, headers=bearer(parent)), 200
    )["items"]
    for invoice in invoices:
        if invoice["month"] == month and invoice["kind"] == "invoice":
            return dict(invoice)
    raise WalkthroughError(f"the parent sees no invoice for {month}: {invoices}")


def invoice_pdf(http: httpx.Client, parent: str, invoice_id: str) -> bytes:
    response = http.get(f"/billing/v1/invoices/{invoice_id}.pdf", headers=bearer(parent))
    return bytes(_check(response, 200))


# --- what the invoice is computed from ---------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """The contract and price terms in force, as their owners' APIs show them."""

    category: str
    rank: int
    schooling: str
    valid_from: str
    valid_until: str
    explanation: list[str]
    provider_type: str
    plurilingual: bool
    hourly_price: Decimal
    meal_price: Decimal


def terms(http: httpx.Client, parent: str, agent: str) -> Terms:
    """Membership contract (the parent's own read) and the provider's terms (an agent's)."""
    contracts = _check(
        http.get("/membership/v1/contracts", params={"child_id": CHILD}, headers=bearer(parent)),
        200,
    )
    contract = next(c for c in contracts["items"] if c["child_id"] == CHILD)
    # billing takes the version in force on each week's Monday; the demo has one version
    in_force = [v for v in contract["versions"] if v["effective_from"] <= PERIOD_START.isoformat()]
    version = in_force[-1] if in_force else contract["versions"][0]
    provider = _check(http.get(f"/attendance/v1/providers/{PROVIDER}", headers=bearer(agent)), 200)
    education = _check(
        http.get(
            "/attendance/v1/education-contracts", params={"child_id": CHILD}, headers=bearer(agent)
        ),
        200,
    )
    price = next(
        (Decimal(c["hourly_price"]) for c in education["items"] if c["provider_id"] == PROVIDER),
        Decimal(provider["current"]["hourly_price"]),
    )
    return Terms(
        category=version["category"],
        rank=version["rank"],
        schooling=version["schooling"],
        valid_from=contract["valid_from"],
        valid_until=contract["valid_until"],
        explanation=list(version["explanation"]),
        provider_type=provider["provider_type"],
        plurilingual=bool(provider["current"]["plurilingual"]),
        hourly_price=price,
        meal_price=Decimal(provider["current"]["meal_price"]),
    )


# --- reading the invoice ------------------------------------------------------------------


def money(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal("0")


def week_totals(invoice: dict[str, Any]) -> dict[str, tuple[Decimal, Decimal]]:
    """Parent and state amount per billed week (its Monday), summed from the lines."""
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    for line in invoice["lines"]:
        totals[str(line["week"])][0] += money(line["parent_amount"])
        totals[str(line["week"])][1] += money(line["state_amount"])
    return {week: (p, s) for week, (p, s) in sorted(totals.items())}


COLUMNS = (
    "week",
    "provider",
    "rule",
    "section",
    "quantity",
    "unit_price",
    "parent_rate",
    "state_rate",
    "parent_amount",
    "state_amount",
)
HEADINGS = (
    "week",
    "provider",
    "rule",
    "csa-rules.md §",
    "qty",
    "price",
    "parent rate",
    "state rate",
    "parent",
    "state",
)


def _table(rows: list[tuple[str, ...]], left: set[int]) -> list[str]:
    """Aligned text columns: those in ``left`` to the left, the others (numbers) right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]


def plan_lines(plan: list[Day]) -> list[str]:
    rows: list[tuple[str, ...]] = [("day", "from", "to", "hours", "meals", "")]
    for d in plan:
        start, end, note = d.start, d.end, ""
        if d.day == CORRECTED_DAY:
            start, end = CORRECTED_TIMES
            note = f"declared {d.start:%H:%M}-{d.end:%H:%M}, corrected: {CORRECTION_REASON}"
        minutes = (datetime.combine(d.day, end) - datetime.combine(d.day, start)).seconds // 60
        hours = Decimal(minutes) / 60
        rows.append(
            (
                f"{d.day:%a %Y-%m-%d}",
                f"{start:%H:%M}",
                f"{end:%H:%M}",
                f"{hours:.2f}",
                str(d.meals),
                note,
            )
        )
    return _table(rows, left={0, 5})


def terms_lines(t: Terms) -> list[str]:
    return [
        f"Contract (membership): category {t.category}, rank {t.rank}, schooling {t.schooling}, "
        f"valid {t.valid_from} to {t.valid_until}",
        *(f"    {e}" for e in t.explanation),
        f"Provider (attendance): {PROVIDER}, {t.provider_type}, plurilingual {t.plurilingual}, "
        f"{t.hourly_price} €/h, meal {t.meal_price} €",
    ]


def invoice_lines(invoice: dict[str, Any]) -> list[str]:
    cells = (
        tuple(str(line.get(c, "")).removeprefix("csa-rules.md ") for c in COLUMNS)
        for line in invoice["lines"]
    )
    rows = [HEADINGS, *cells]
    table = _table(rows, left={0, 1, 2, 3})
    rule = "-" * len(table[0])
    out = [
        f"Invoice {invoice['number']} for {invoice['month']} (child {invoice['child_id']}, "
        f"language {invoice['language']}, contract renewal {invoice['renewal_date']})",
        table[0],
        rule,
        *table[1:],
        rule,
    ]
    for week, (parent, state) in week_totals(invoice).items():
        out.append(f"week of {week}:  parent {parent:>8}  state {state:>8}")
    out.append(
        f"total:               parent {invoice['parent_total']:>8}  "
        f"state {invoice['state_total']:>8}"
    )
    if any(line.get("rule") == "no_contract" for line in invoice["lines"]):
        out.append(
            "Note: rule no_contract = no valid membership contract that week, full price to "
            "the parent. A ./var made by an older `make run` holds a contract signed on its "
            "first start: stop `make run`, remove ./var, start it again."
        )
    return out


# --- the whole walk ----------------------------------------------------------------------


@dataclass
class Result:
    invoice: dict[str, Any]
    period: dict[str, Any]
    terms: Terms
    pdf_path: Path
    closed_now: bool
    registered_now: bool


def var_dir(env: Mapping[str, str]) -> Path:
    return (REPO / env.get("CSA_VAR_DIR", "var")).resolve()


def walkthrough(
    base_url: str = DEFAULT_BASE_URL,
    *,
    env: Mapping[str, str] | None = None,
    pdf_path: Path | None = None,
    say: Any = print,
) -> Result:
    """Every step against the platform at ``base_url``; ``env`` is for the ``csa`` commands."""
    env = dict(env if env is not None else os.environ)
    pdf_path = pdf_path or var_dir(env) / "walkthrough-invoice.pdf"
    with httpx.Client(base_url=base_url, timeout=30) as http:
        _check(http.get("/healthz"), 200)
        agent_id, totp_uri = create_agent(env)
        agent = agent_token(http, agent_id, totp_uri)
        say(f"1. csa identity create-agent {agent_id} --kind cae: logged in with password + TOTP")
        status = period(http, agent)
        closed_now = status is None or status["status"] != "closed"
        if closed_now:
            client_id, secret = create_provider_client(PROVIDER, env)
            provider = provider_token(http, client_id, secret)
            say(f"2. csa identity create-client {PROVIDER}: {client_id} has a provider token")
            before, _ = attendance_events(http)
            batch = post_month(http, provider, month_plan())
            say(
                f"   POST /attendance/v1/declarations/batch: {batch['accepted']} accepted, "
                f"{batch['duplicate']} duplicate (already stored: the demo week), "
                f"{batch['rejected']} rejected"
            )
            corrected = correct_presence(http, provider, batch)
            done = "now ends 14:30" if corrected else "was corrected by an earlier run"
            say(f"   POST /attendance/v1/presences/{{id}}/amend: {CORRECTED_DAY} {done}")
            wait_for_billing(http, before, batch["accepted"] + corrected)
            say(f"3. POST /billing/v1/periods/{MONTH}/close (CAE agent), polling ...")
            status = close_month(http, agent)
        else:
            say(f"2.-3. period {MONTH} is already closed (closed periods never change): read it")
        assert status is not None
        say(
            f"   GET /billing/v1/periods/{MONTH}: {status['status']}, {status['children_done']}"
            f"/{status['children_total']} children, parent {status['parent_total']}, "
            f"state {status['state_total']}"
        )
        iam_code, linking_code = mycard_codes(http)
        parent = register_parent(http, iam_code, linking_code)
        registered_now = parent is not None
        if parent is not None:
            say(
                f"4. parent account created (POST /identity/v1/registrations): IAM code "
                f"{iam_code} + linking code {linking_code}\n   from the myCard letter, "
                "password, mobile, SMS code from GET /identity/v1/dev/sms; signed in"
            )
        else:
            parent = parent_login(http, iam_code)
            say(
                f"4. parent logged in (POST /identity/v1/login): IAM code {iam_code} + "
                "password + SMS code\n   (the linking code was spent by an earlier run)"
            )
        invoice = month_invoice(http, parent)
        say(f"   GET /billing/v1/invoices: invoice {invoice['number']}")
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        pdf_path.write_bytes(invoice_pdf(http, parent, invoice["id"]))
        found = terms(http, parent, agent)
    return Result(invoice, status, found, pdf_path, closed_now, registered_now)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A month from attendance to invoice.")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help="where `make run` listens")
    parser.add_argument("--pdf", type=Path, default=None, help="where to save the invoice PDF")
    args = parser.parse_args(argv)
    try:
        result = walkthrough(args.base_url, pdf_path=args.pdf)
    except (WalkthroughError, httpx.HTTPError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"\nAttendance of {MONTH} (child {CHILD} at {PROVIDER}):")
    print("\n".join(plan_lines(month_plan())))
    print("\nWhat the invoice is computed from:")
    print("\n".join(terms_lines(result.terms)))
    print()
    print("\n".join(invoice_lines(result.invoice)))
    print(f"\nPDF: {result.pdf_path}")
    print("Check each line against ../shared/specs/csa-rules.md (README.md, Try it).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
