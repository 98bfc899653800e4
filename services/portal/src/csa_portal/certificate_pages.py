"""LuxTrust certificates (seed 000): log in with one instead of the SMS code, and register or
remove them in the virtual office.

The browser's TLS client certificate never reaches the portal's code directly: the ingress
verifies it against the LuxTrust chain and sets two headers of its own (replacing any a
client sent). The portal reads them only when told it runs behind such an ingress
(``PORTAL_TRUST_CLIENT_CERTIFICATE``) and passes them on unchanged to identity, which
decides; anywhere else the certificate forms do not appear.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request, Response

from csa_portal.api import ApiError
from csa_portal.i18n import translator
from csa_portal.invoice_pages import NotSignedIn, fetched
from csa_portal.problems import N_, message_of
from csa_portal.web import (
    current_session,
    language_of,
    portal_of,
    posted_form,
    redirect,
    render,
    visitor,
)

router = APIRouter()

VERIFIED = "SUCCESS"
PAGE = "/office/certificates"
DONE = {
    "registered": N_("The certificate is registered. You can log in with it."),
    "removed": N_("The certificate is removed."),
}


def presented_certificate(request: Request) -> dict[str, str] | None:
    """The ingress's headers for a certificate it verified, to pass on; else None."""
    names = portal_of(request).certificate_headers
    if names is None:
        return None
    cert_header, verify_header = names
    pem, verify = request.headers.get(cert_header, ""), request.headers.get(verify_header, "")
    if verify.strip() != VERIFIED or not pem:
        return None
    return {cert_header: pem, verify_header: verify}


@router.get("/login/certificate")
async def certificate_login_form(request: Request) -> Response:
    return render(
        request,
        "certificate_login.html",
        visitor(request),
        form={},
        presented=presented_certificate(request) is not None,
    )


@router.post("/login/certificate")
async def certificate_login(request: Request) -> Response:
    session, fields = await posted_form(request)
    iam_code = fields.get("iam_code", "")
    presented = presented_certificate(request)
    if presented is None:
        return render(request, "certificate_login.html", session, 401, form={}, presented=False)
    try:
        tokens = await portal_of(request).apis.certificate_login(
            iam_code, fields.get("password", ""), presented, language_of(request)
        )
    except ApiError as error:
        message = message_of(error, translator(language_of(request)))
        status = error.page_status()
        return render(
            request,
            "certificate_login.html",
            session,
            status,
            error=message,
            form={"iam_code": iam_code},
            presented=True,
        )
    session.access_token = str(tokens["access_token"])
    session.refresh_token = str(tokens["refresh_token"])
    session.pending = {}
    return redirect(request, "/invoices", portal_of(request).sessions.rotate(session))


async def _page(request: Request, status_code: int = 200, **context: Any) -> Response:
    certificates = await fetched(request, lambda apis, token: apis.certificates(token))
    done = DONE.get(request.query_params.get("done", ""))
    return render(
        request,
        "certificates.html",
        current_session(request),
        status_code=status_code,
        certificates=certificates,
        presented=presented_certificate(request) is not None,
        done=translator(language_of(request))(done) if done else "",
        **context,
    )


@router.get(PAGE)
async def certificates(request: Request) -> Response:
    return await _page(request)


@router.post(PAGE)
async def register_certificate(request: Request) -> Response:
    """The certificate the browser presents now, or a pasted PEM."""
    session, fields = await posted_form(request)
    if not session.signed_in:
        raise NotSignedIn
    pem = fields.get("pem", "")
    if fields.get("source") == "presented":
        presented = presented_certificate(request) or {}
        names = portal_of(request).certificate_headers
        pem = unquote(presented.get(names[0], "")) if names else ""
    language = language_of(request)
    try:
        await fetched(request, lambda apis, token: apis.register_certificate(token, pem, language))
    except ApiError as error:
        if error.status == 401:
            raise
        status = error.page_status()
        return await _page(request, status, error=message_of(error, translator(language)))
    return redirect(request, f"{PAGE}?done=registered")


@router.post(PAGE + "/{fingerprint}/remove")
async def remove_certificate(request: Request, fingerprint: str) -> Response:
    session, _ = await posted_form(request)
    if not session.signed_in:
        raise NotSignedIn
    try:
        await fetched(request, lambda apis, token: apis.remove_certificate(token, fingerprint))
    except ApiError as error:
        if error.status == 401:
            raise
        status = error.page_status()
        message = message_of(error, translator(language_of(request)))
        return await _page(request, status, error=message)
    return redirect(request, f"{PAGE}?done=removed")
