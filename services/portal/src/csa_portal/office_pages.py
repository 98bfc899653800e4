"""The virtual office: the children attached (attach one with its codes, detach one), the
contact e-mail, the password and the mobile number (identity's ``/v1/me`` API).

A password or mobile change is confirmed by SMS code: the mobile first with a code to the OLD
number, then one to the new number (identity sends it when the first is confirmed, same flow).
The flow id waits in the server-side session between the steps, as in registration.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response

from csa_portal.api import ApiError, PublicApis
from csa_portal.i18n import translator
from csa_portal.invoice_pages import NotSignedIn, fetched
from csa_portal.problems import N_, RESTART, message_of
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
)

router = APIRouter()

CHANGE_STEP = "/office/change"
# what the office page says after a redirect (``?done=``): a fixed set, never echoed text
DONE = {
    "attached": N_("The child is attached to your account."),
    "detached": N_("The child is detached from your account."),
    "email": N_("Your e-mail address is saved."),
    "mobile": N_("Your new mobile number is confirmed."),
}


async def _office(request: Request, status_code: int = 200, **context: Any) -> Response:
    session, profile = await _signed_in(request)
    context.setdefault("form", {})
    done = DONE.get(request.query_params.get("done", ""))
    return render(
        request,
        "office.html",
        session,
        status_code=status_code,
        profile=profile,
        done=translator(language_of(request))(done) if done else "",
        **context,
    )


async def _signed_in(request: Request) -> tuple[Session, dict[str, Any]]:
    profile = await fetched(request, PublicApis.profile)
    session = current_session(request)
    if session is None:
        raise NotSignedIn
    return session, profile


async def _posted(
    request: Request, call: Callable[[PublicApis, str, dict[str, str]], Awaitable[Any]]
) -> tuple[Any, dict[str, str]] | Response:
    """The form's fields handed to ``call`` with the parent's token: its answer, or the office
    page again with the problem in the visitor's language."""
    session, fields = await posted_form(request)
    if not session.signed_in:
        raise NotSignedIn
    try:
        return await fetched(request, lambda apis, token: call(apis, token, fields)), fields
    except ApiError as error:
        if error.status == 401:
            raise
        message = message_of(error, translator(language_of(request)))
        status = error.page_status()
        kept = {k: v for k, v in fields.items() if "password" not in k}
        return await _office(request, status, error=message, form=kept)


@router.get("/office")
async def office(request: Request) -> Response:
    return await _office(request)


@router.post("/office/children")
async def attach_child(request: Request) -> Response:
    outcome = await _posted(
        request,
        lambda apis, token, form: apis.attach_child(
            token, form.get("iam_code", ""), form.get("linking_code", "")
        ),
    )
    return outcome if isinstance(outcome, Response) else redirect(request, "/office?done=attached")


@router.post("/office/children/{child_id}/detach")
async def detach_child(request: Request, child_id: str) -> Response:
    outcome = await _posted(request, lambda apis, token, _: apis.detach_child(token, child_id))
    return outcome if isinstance(outcome, Response) else redirect(request, "/office?done=detached")


@router.post("/office/email")
async def set_email(request: Request) -> Response:
    outcome = await _posted(
        request, lambda apis, token, form: apis.set_email(token, form.get("email") or None)
    )
    return outcome if isinstance(outcome, Response) else redirect(request, "/office?done=email")


def _change_started(request: Request, kind: str, outcome: Any) -> Response:
    if isinstance(outcome, Response):
        return outcome
    flow, _ = outcome
    session = current_session(request)
    assert session is not None  # _posted found it
    session.pending = {"kind": kind, "flow_id": flow["flow_id"], "sent_to": flow["sent_to"]}
    return redirect(request, CHANGE_STEP)


@router.post("/office/password")
async def change_password(request: Request) -> Response:
    language = language_of(request)
    outcome = await _posted(
        request,
        lambda apis, token, form: apis.change_password(
            token, form.get("current_password", ""), form.get("new_password", ""), language
        ),
    )
    return _change_started(request, "password", outcome)


@router.post("/office/mobile")
async def change_mobile(request: Request) -> Response:
    language = language_of(request)
    outcome = await _posted(
        request,
        lambda apis, token, form: apis.change_mobile(token, form.get("mobile", ""), language),
    )
    return _change_started(request, "mobile", outcome)


def _pending_change(request: Request) -> Session | None:
    session = current_session(request)
    if session is None or session.pending.get("kind") not in {"password", "mobile"}:
        return None
    return session


@router.get(CHANGE_STEP)
async def change_code_form(request: Request) -> Response:
    session = _pending_change(request)
    if session is None:
        return redirect(request, "/office")
    return render(
        request, "code.html", session, step="/office", action=CHANGE_STEP, **_code_context(session)
    )


def _code_context(session: Session) -> dict[str, Any]:
    return {"sent_to": session.pending["sent_to"], "change": session.pending["kind"]}


@router.post(CHANGE_STEP)
async def confirm_change(request: Request) -> Response:
    session, fields = await posted_form(request)
    pending = session.pending
    if not session.signed_in or pending.get("kind") not in {"password", "mobile"}:
        return redirect(request, "/office")
    language = language_of(request)
    try:
        step = await fetched(
            request,
            lambda apis, token: apis.confirm_change(
                token, pending["flow_id"], fields.get("code", ""), language
            ),
        )
    except ApiError as error:
        if error.status == 401:
            raise
        restart = error.code in RESTART
        context = _code_context(session)
        if restart:
            session.pending = {}
        status = error.page_status()
        message = message_of(error, translator(language))
        return render(
            request,
            "code.html",
            session,
            status_code=status,
            error=message,
            step="/office",
            action=CHANGE_STEP,
            restart=restart,
            **context,
        )
    if not step.get("completed"):  # the old number's code is right: now the new number's
        session.pending["sent_to"] = step["next"]["sent_to"]
        session.pending["flow_id"] = step["next"]["flow_id"]
        return redirect(request, CHANGE_STEP)
    session.pending = {}
    if pending["kind"] == "mobile":
        return redirect(request, "/office?done=mobile")
    # a new password ends every session at identity: this one too
    portal_of(request).sessions.drop(session)
    response = redirect(request, "/login?password=changed")
    response.delete_cookie(SESSION_COOKIE, path=base_path(request) or "/")
    return response
