"""The portal's web application: pages, static files, language choice, security headers."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from csa_portal import (
    account_pages,
    certificate_pages,
    contract_pages,
    invoice_pages,
    material_pages,
    office_pages,
    statement_pages,
    usage_pages,
    weeks_pages,
)
from csa_portal.api import ApiError, PublicApis
from csa_portal.i18n import LANGUAGES, translator
from csa_portal.invoice_pages import NotSignedIn, SignInAgain
from csa_portal.materials import SHIPPED, Catalogue
from csa_portal.problems import message_of
from csa_portal.sessions import SessionStore
from csa_portal.settings import PortalSettings
from csa_portal.web import (
    LANGUAGE_COOKIE,
    BadForm,
    Portal,
    add_security_headers,
    base_path,
    current_session,
    language_of,
    portal_of,
    redirect,
    remember_base_path,
    render,
    visitor,
)
from csa_shared.settings import SERVICES
from csa_shared.settings import Settings as PlatformSettings

STATIC = Path(__file__).parent / "static"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


class SecurityHeaders:
    """The security headers of every answer (pure ASGI: no task and no queue per request,
    as `@app.middleware("http")` would have)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # before routing, which rewrites the scope's root_path for the static mount
        request = Request(scope)
        private = not request.url.path.startswith(remember_base_path(request) + "/static/")

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message), private=private)
            await send(message)

        await self.app(scope, receive, secured)


def _guard(app: FastAPI) -> None:
    """The security headers of every answer, and the pages of the errors a visitor meets."""

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(HTTPException)
    async def not_found(request: Request, exc: HTTPException) -> Response:
        _ = translator(language_of(request))
        message = _("This page does not exist.") if exc.status_code == 404 else str(exc.detail)
        return render(
            request, "message.html", current_session(request), exc.status_code, message=message
        )

    @app.exception_handler(BadForm)
    async def bad_form(request: Request, exc: BadForm) -> Response:
        _ = translator(language_of(request))
        message = _("The form has expired. Please fill it in again.")
        return render(request, "message.html", visitor(request), 400, message=message)

    @app.exception_handler(NotSignedIn)
    @app.exception_handler(SignInAgain)
    async def to_login(request: Request, exc: Exception) -> Response:
        return redirect(request, "/login")

    @app.exception_handler(ApiError)
    async def service_failed(request: Request, exc: ApiError) -> Response:
        message = message_of(exc, translator(language_of(request)))
        status = exc.page_status(502)
        return render(request, "message.html", current_session(request), status, message=message)


def create_portal_app(
    platform: PlatformSettings,
    settings: PortalSettings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    settings = settings or PortalSettings.model_validate({})
    urls = {name: settings.service_url(name, platform) for name in SERVICES}
    portal = Portal(
        settings=settings,
        sessions=SessionStore(settings.session_idle_seconds, settings.max_sessions),
        apis=PublicApis(urls, timeout=settings.api_timeout_seconds, transport=transport),
        materials=Catalogue(settings.materials_dir or SHIPPED),
        certificate_headers=(
            (platform.identity_client_cert_header, platform.identity_client_verify_header)
            if settings.trust_client_certificate
            else None
        ),
    )
    app = FastAPI(title="CSA parent portal", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.portal = portal

    _guard(app)

    @app.get("/")
    async def home(request: Request) -> Response:
        session = visitor(request)
        if session.signed_in:
            return Response(status_code=303, headers={"Location": f"{base_path(request)}/invoices"})
        signed_out = request.query_params.get("signed_out") == "1"
        return render(request, "home.html", session, signed_out=signed_out)

    @app.get("/language/{code}")
    async def choose_language(request: Request, code: str, next: str = "/") -> Response:
        """Remember the visitor's language (a preference cookie) and go back to the page."""
        if code not in LANGUAGES:
            raise HTTPException(404)
        # only a path of the portal itself: never an open redirect
        if not next.startswith("/") or next.startswith("//") or "\\" in next:
            next = "/"
        response = Response(status_code=303, headers={"Location": base_path(request) + next})
        response.set_cookie(
            LANGUAGE_COOKIE,
            code,
            max_age=LANGUAGE_COOKIE_SECONDS,
            path=base_path(request) or "/",
            httponly=True,
            secure=portal_of(request).settings.cookie_secure,
            samesite="lax",
        )
        return response

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(account_pages.router)
    app.include_router(invoice_pages.router)
    app.include_router(usage_pages.router)
    app.include_router(contract_pages.router)
    app.include_router(office_pages.router)
    app.include_router(material_pages.router)
    app.include_router(certificate_pages.router)
    app.include_router(statement_pages.router)
    app.include_router(weeks_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
