"""Create an account from the myCard letter, log in with the SMS code, log out (seed 000).

Each flow has two steps: the first form starts it at identity (which sends the SMS), the
second sends the code back. The flow id waits in the server-side session between the two.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request, Response

from csa_portal.api import ApiError
from csa_portal.certificate_pages import presented_certificate
from csa_portal.i18n import translator
from csa_portal.problems import RESTART, message_of
from csa_portal.sessions import Session
from csa_portal.web import (
    SESSION_COOKIE,
    base_path,
    current_session,
    language_of,
    portal_of,
    posted_form,
    redirect,
    render,
    visitor,
)

router = APIRouter()

REGISTRATION_FIELDS = ("iam_code", "linking_code", "email", "mobile", "password")
# the two flows: their first page, and the step of identity that checks the SMS code
FLOWS = {"registration": "/register", "login": "/login", "activation": "/activate"}
ACTIVATION_FIELDS = ("iam_code", "activation_code", "mobile", "new_password")


def _error_page(
    request: Request, template: str, session: Session, error: ApiError, **context: Any
) -> Response:
    message = message_of(error, translator(language_of(request)))
    status = error.page_status()
    return render(request, template, session, status_code=status, error=message, **context)


def _started(request: Request, session: Session, kind: str, flow: dict[str, Any]) -> Response:
    """The SMS is on its way: keep the flow id here, ask for the code next."""
    session.pending = {"kind": kind, "flow_id": flow["flow_id"], "sent_to": flow["sent_to"]}
    return redirect(request, f"{FLOWS[kind]}/confirm")


def _code_form(request: Request, kind: str) -> Response:
    session = current_session(request)
    if session is None or session.pending.get("kind") != kind:
        return redirect(request, FLOWS[kind])
    return render(
        request, "code.html", session, step=FLOWS[kind], sent_to=session.pending["sent_to"]
    )


def _code_refused(request: Request, session: Session, kind: str, error: ApiError) -> Response:
    """The SMS code page again with identity's reason; a spent flow must start again."""
    sent_to = session.pending.get("sent_to", "")
    restart = error.code in RESTART
    if restart:
        session.pending = {}
    return _error_page(
        request, "code.html", session, error, step=FLOWS[kind], sent_to=sent_to, restart=restart
    )


async def _confirmed(
    request: Request, kind: str, confirm: Callable[[str, str, str], Awaitable[dict[str, Any]]]
) -> tuple[Session, dict[str, Any]] | Response:
    """The code sent back to identity: the new session (rotated id) and what was pending,
    or the page to show instead (the code refused, or no flow under way)."""
    session, fields = await posted_form(request)
    pending = session.pending
    if pending.get("kind") != kind:
        return redirect(request, FLOWS[kind])
    try:
        tokens = await confirm(pending["flow_id"], fields.get("code", ""), language_of(request))
    except ApiError as error:
        return _code_refused(request, session, kind, error)
    session.access_token = str(tokens["access_token"])
    session.refresh_token = str(tokens["refresh_token"])
    session.pending = {}
    return portal_of(request).sessions.rotate(session), pending


# --- create an account ---------------------------------------------------------------------


@router.get("/register")
async def registration_form(request: Request) -> Response:
    return render(request, "register.html", visitor(request), form={})


@router.post("/register")
async def start_registration(request: Request) -> Response:
    session, fields = await posted_form(request)
    form = {name: fields.get(name, "") for name in REGISTRATION_FIELDS}
    body = {k: form[k] for k in ("iam_code", "linking_code", "password", "mobile")}
    try:
        flow = await portal_of(request).apis.start_registration(body, language_of(request))
    except ApiError as error:
        form["password"] = ""
        return _error_page(request, "register.html", session, error, form=form)
    response = _started(request, session, "registration", flow)
    session.pending["email"] = form["email"]  # identity takes it once the account exists
    return response


@router.get("/register/confirm")
async def registration_code_form(request: Request) -> Response:
    return _code_form(request, "registration")


@router.post("/register/confirm")
async def confirm_registration(request: Request) -> Response:
    apis = portal_of(request).apis
    outcome = await _confirmed(request, "registration", apis.confirm_registration)
    if isinstance(outcome, Response):
        return outcome
    session, pending = outcome
    if pending.get("email"):
        try:
            await apis.set_email(str(session.access_token), pending["email"])
        except ApiError:
            return redirect(request, "/invoices?email=rejected", session)
    return redirect(request, "/invoices?welcome=1", session)


# --- reactivate with the activation code received by post --------------------------------


@router.get("/activate")
async def activation_form(request: Request) -> Response:
    letter_sent = request.query_params.get("letter") == "sent"
    return render(request, "activate.html", visitor(request), form={}, letter_sent=letter_sent)


@router.post("/activate/letter")
async def request_activation_letter(request: Request) -> Response:
    """Identity answers the same whether or not the IAM code exists; so does this page."""
    session, fields = await posted_form(request)
    iam_code = fields.get("iam_code", "")
    try:
        await portal_of(request).apis.request_activation_letter(iam_code, language_of(request))
    except ApiError as error:
        form = {"letter_iam_code": iam_code}
        return _error_page(request, "activate.html", session, error, form=form)
    return redirect(request, "/activate?letter=sent")


@router.post("/activate")
async def use_activation_code(request: Request) -> Response:
    session, fields = await posted_form(request)
    form = {name: fields.get(name, "") for name in ACTIVATION_FIELDS}
    try:
        flow = await portal_of(request).apis.use_activation_code(form, language_of(request))
    except ApiError as error:
        form["new_password"] = ""
        return _error_page(request, "activate.html", session, error, form=form)
    return _started(request, session, "activation", flow)


@router.get("/activate/confirm")
async def activation_code_form(request: Request) -> Response:
    return _code_form(request, "activation")


@router.post("/activate/confirm")
async def confirm_activation(request: Request) -> Response:
    """Reactivated: identity has ended every session, so the parent logs in afresh."""
    session, fields = await posted_form(request)
    pending = session.pending
    if pending.get("kind") != "activation":
        return redirect(request, "/activate")
    try:
        await portal_of(request).apis.confirm_activation(
            pending["flow_id"], fields.get("code", ""), language_of(request)
        )
    except ApiError as error:
        return _code_refused(request, session, "activation", error)
    # identity has revoked every session of the account: this browser's ends too
    session.pending, session.access_token, session.refresh_token = {}, None, None
    return redirect(request, "/login?reactivated=1")


# --- log in and out ------------------------------------------------------------------------


@router.get("/login")
async def login_form(request: Request) -> Response:
    changed = request.query_params.get("password") == "changed"
    reactivated = request.query_params.get("reactivated") == "1"
    return render(
        request,
        "login.html",
        visitor(request),
        form={},
        password_changed=changed,
        reactivated=reactivated,
        certificate_offered=presented_certificate(request) is not None,
    )


@router.post("/login")
async def start_login(request: Request) -> Response:
    session, fields = await posted_form(request)
    iam_code = fields.get("iam_code", "")
    try:
        flow = await portal_of(request).apis.start_login(
            iam_code, fields.get("password", ""), language_of(request)
        )
    except ApiError as error:
        return _error_page(request, "login.html", session, error, form={"iam_code": iam_code})
    return _started(request, session, "login", flow)


@router.get("/login/confirm")
async def login_code_form(request: Request) -> Response:
    return _code_form(request, "login")


@router.post("/login/confirm")
async def complete_login(request: Request) -> Response:
    outcome = await _confirmed(request, "login", portal_of(request).apis.complete_login)
    if isinstance(outcome, Response):
        return outcome
    return redirect(request, "/invoices", outcome[0])


@router.post("/logout")
async def logout(request: Request) -> Response:
    session, _ = await posted_form(request)
    portal = portal_of(request)
    if session.refresh_token:
        # should identity not answer, its session ends by itself; here it ends now
        with suppress(ApiError):
            await portal.apis.logout(session.refresh_token)
    portal.sessions.drop(session)
    response = redirect(request, "/?signed_out=1")
    response.delete_cookie(SESSION_COOKIE, path=base_path(request) or "/")
    return response
