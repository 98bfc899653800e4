"""What every page shares: the visitor's session and language, CSRF, rendering, headers."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import MutableHeaders

from csa_portal.api import PublicApis
from csa_portal.formatting import Formats
from csa_portal.i18n import LANGUAGE_NAMES, LANGUAGES, negotiate, translator
from csa_portal.materials import Catalogue
from csa_portal.sessions import Session, SessionStore
from csa_portal.settings import PortalSettings

SESSION_COOKIE = "csa_portal_session"
LANGUAGE_COOKIE = "csa_portal_language"
MAX_FORM_BYTES = 16 * 1024
# nothing inline, nothing from elsewhere: one stylesheet of our own, no script at all
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass
class Portal:
    settings: PortalSettings
    sessions: SessionStore
    apis: PublicApis
    materials: Catalogue
    # the ingress's client-certificate header names (certificate, verification), when trusted
    certificate_headers: tuple[str, str] | None = None


class BadForm(Exception):
    """A POST without a valid CSRF token or with an unreadable body."""


def portal_of(request: Request) -> Portal:
    found: Portal = request.app.state.portal
    return found


def base_path(request: Request) -> str:
    """Where the portal is mounted (``/portal`` in the embedded platform): as the request
    came in (``remember_base_path``), since routing into a mount rewrites ``root_path``."""
    remembered = request.scope.get("csa_portal_base")
    if remembered is not None:
        return str(remembered)
    return str(request.scope.get("root_path", "")).rstrip("/")


def remember_base_path(request: Request) -> str:
    base = base_path(request)
    request.scope["csa_portal_base"] = base
    return base


def language_of(request: Request) -> str:
    return negotiate(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language"))


def current_session(request: Request) -> Session | None:
    return portal_of(request).sessions.get(request.cookies.get(SESSION_COOKIE))


def visitor(request: Request) -> Session:
    """This browser's session, a new anonymous one (for the form's CSRF token) if none."""
    session = current_session(request)
    if session is None:
        session = portal_of(request).sessions.new()
        request.state.new_session = session
    return session


async def posted_form(request: Request) -> tuple[Session, dict[str, str]]:
    """The session and the urlencoded body, once its CSRF token matches the session's."""
    session = current_session(request)
    body = await request.body()
    if len(body) > MAX_FORM_BYTES or session is None:
        raise BadForm
    fields = {k: v[0].strip() for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    sent = fields.pop("csrf_token", "")
    if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise BadForm
    return session, fields


def set_session_cookie(request: Request, response: Response, session: Session) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session.id,
        path=base_path(request) or "/",
        httponly=True,
        secure=portal_of(request).settings.cookie_secure,
        samesite="lax",
    )


def redirect(request: Request, path: str, session: Session | None = None) -> Response:
    response = RedirectResponse(base_path(request) + path, status_code=303)
    if session is not None:
        set_session_cookie(request, response, session)
    return response


def _here(request: Request) -> str:
    """This page within the portal, with its query (the language switch comes back here)."""
    path = request.url.path.removeprefix(base_path(request)) or "/"
    return f"{path}?{request.url.query}" if request.url.query else path


def render(
    request: Request,
    template: str,
    session: Session | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    language = language_of(request)
    page = templates.get_template(template).render(
        _=translator(language),
        lang=language,
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        fmt=Formats(language),
        base=base_path(request),
        here=_here(request),
        csrf_token=session.csrf_token if session else "",
        signed_in=bool(session and session.signed_in),
        **context,
    )
    response = HTMLResponse(page, status_code=status_code)
    fresh = getattr(request.state, "new_session", None)
    if fresh is not None:
        set_session_cookie(request, response, fresh)
    return response


def add_security_headers(headers: MutableHeaders, *, private: bool = True) -> None:
    """`SECURITY_HEADERS` (and, on a private page, ``Cache-Control: no-store``) where the
    answer does not set them already."""
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    if private:
        headers.setdefault("Cache-Control", "no-store")
