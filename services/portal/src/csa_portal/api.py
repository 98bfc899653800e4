"""The four services' public HTTP APIs, called as a mobile app would: JSON over HTTP with the
parent's own bearer token (never a service credential of the portal's)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import httpx


class ApiError(Exception):
    """A service answered with a problem (RFC 9457) or could not be reached."""

    def __init__(self, status: int, code: str, detail: str = "") -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail

    def page_status(self, otherwise: int = 422) -> int:
        """The status a page shows this problem with: the service's own error status, else
        ``otherwise`` (a service answering outside 4xx/5xx is not the visitor's success)."""
        return self.status if 400 <= self.status < 600 else otherwise


# items asked for per page of a list (the services' largest page)
PAGE_LIMIT = 200


def _segment(value: str) -> str:
    """An id from a page's URL as one path segment of the service's URL, never more."""
    if value in {".", ".."}:  # a dot segment would climb the service's path
        return value.replace(".", "%2E")
    return quote(value, safe="")


def _problem(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    slug = str(body.get("type", "")).rsplit("/", 1)[-1]
    code = str(body.get("error") or slug or f"http.{response.status_code}")
    return ApiError(response.status_code, code, str(body.get("detail", "")))


class PublicApis:
    """One HTTP client for all four services; ``urls`` maps a service to its base URL."""

    def __init__(
        self, urls: dict[str, str], *, timeout: float, transport: httpx.AsyncBaseTransport | None
    ) -> None:
        self._urls = urls
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def close(self) -> None:
        await self._http.aclose()

    async def _send(
        self,
        method: str,
        service: str,
        path: str,
        *,
        token: str | None = None,
        language: str | None = None,
        json: Any = None,
        expect: tuple[int, ...] = (200,),
        forwarded: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = {"Accept-Language": language} if language else {}
        headers.update(forwarded or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = await self._http.request(
                method, f"{self._urls[service]}/v1{path}", json=json, headers=headers
            )
        except httpx.HTTPError as exc:
            raise ApiError(503, "service.unreachable", str(exc)) from exc
        if response.status_code not in expect:
            raise _problem(response)
        return response

    async def _every(self, service: str, path: str, *, token: str) -> list[dict[str, Any]]:
        """Every item of a paged list (``{"items", "next_cursor"}``), page after page."""
        items: list[dict[str, Any]] = []
        query: dict[str, str] = {"limit": str(PAGE_LIMIT)}
        while True:
            page = await self._send("GET", service, f"{path}?{urlencode(query)}", token=token)
            body = page.json()
            items += body["items"]
            if not body.get("next_cursor"):
                return items
            query["cursor"] = body["next_cursor"]

    # --- identity: accounts and sessions -------------------------------------------------

    async def start_registration(self, body: dict[str, str], language: str) -> dict[str, Any]:
        response = await self._send(
            "POST", "identity", "/registrations", json=body, language=language, expect=(202,)
        )
        return dict(response.json())

    async def confirm_registration(self, flow_id: str, code: str, language: str) -> dict[str, Any]:
        body = {"flow_id": flow_id, "code": code}
        response = await self._send(
            "POST",
            "identity",
            "/registrations/confirm",
            json=body,
            language=language,
            expect=(201,),
        )
        return dict(response.json())

    async def start_login(self, iam_code: str, password: str, language: str) -> dict[str, Any]:
        body = {"iam_code": iam_code, "password": password}
        response = await self._send(
            "POST", "identity", "/login", json=body, language=language, expect=(202,)
        )
        return dict(response.json())

    async def complete_login(self, flow_id: str, code: str, language: str) -> dict[str, Any]:
        body = {"flow_id": flow_id, "code": code}
        response = await self._send(
            "POST", "identity", "/login/complete", json=body, language=language
        )
        return dict(response.json())

    # --- identity: reactivation with the activation code received by post ----------------

    async def request_activation_letter(self, iam_code: str, language: str) -> None:
        body = {"iam_code": iam_code}
        await self._send(
            "POST", "identity", "/activation-codes", json=body, language=language, expect=(202,)
        )

    async def use_activation_code(self, body: dict[str, str], language: str) -> dict[str, Any]:
        response = await self._send(
            "POST", "identity", "/activation-codes/use", json=body, language=language, expect=(202,)
        )
        return dict(response.json())

    async def confirm_activation(self, flow_id: str, code: str, language: str) -> None:
        body = {"flow_id": flow_id, "code": code}
        await self._send(
            "POST",
            "identity",
            "/activation-codes/confirm",
            json=body,
            language=language,
            expect=(204,),
        )

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        body = {"refresh_token": refresh_token}
        response = await self._send("POST", "identity", "/sessions/refresh", json=body)
        return dict(response.json())

    async def logout(self, refresh_token: str) -> None:
        body = {"refresh_token": refresh_token}
        await self._send("POST", "identity", "/logout", json=body, expect=(204,))

    async def set_email(self, token: str, email: str | None) -> None:
        await self._send("PUT", "identity", "/me/email", token=token, json={"email": email})

    async def profile(self, token: str) -> dict[str, Any]:
        return dict((await self._send("GET", "identity", "/me", token=token)).json())

    # --- identity: the virtual office ----------------------------------------------------

    async def attach_child(self, token: str, iam_code: str, linking_code: str) -> None:
        body = {"iam_code": iam_code, "linking_code": linking_code}
        await self._send("POST", "identity", "/me/children", token=token, json=body, expect=(201,))

    async def detach_child(self, token: str, child_id: str) -> None:
        await self._send(
            "DELETE", "identity", f"/me/children/{_segment(child_id)}", token=token, expect=(204,)
        )

    async def change_password(
        self, token: str, current: str, new: str, language: str
    ) -> dict[str, Any]:
        body = {"current_password": current, "new_password": new}
        response = await self._send(
            "POST",
            "identity",
            "/me/password",
            token=token,
            json=body,
            language=language,
            expect=(202,),
        )
        return dict(response.json())

    async def change_mobile(self, token: str, mobile: str, language: str) -> dict[str, Any]:
        response = await self._send(
            "POST",
            "identity",
            "/me/mobile",
            token=token,
            json={"mobile": mobile},
            language=language,
            expect=(202,),
        )
        return dict(response.json())

    async def confirm_change(
        self, token: str, flow_id: str, code: str, language: str
    ) -> dict[str, Any]:
        body = {"flow_id": flow_id, "code": code}
        response = await self._send(
            "POST", "identity", "/me/changes/confirm", token=token, json=body, language=language
        )
        return dict(response.json())

    # --- identity: LuxTrust certificates ------------------------------------------------

    async def certificate_login(
        self, iam_code: str, password: str, certificate: dict[str, str], language: str
    ) -> dict[str, Any]:
        """``certificate``: the ingress's client-certificate headers, passed on unchanged."""
        body = {"iam_code": iam_code, "password": password}
        response = await self._send(
            "POST",
            "identity",
            "/login/certificate",
            json=body,
            language=language,
            forwarded=certificate,
        )
        return dict(response.json())

    async def certificates(self, token: str) -> list[dict[str, Any]]:
        return list((await self._send("GET", "identity", "/me/certificates", token=token)).json())

    async def register_certificate(self, token: str, pem: str, language: str) -> None:
        await self._send(
            "POST",
            "identity",
            "/me/certificates",
            token=token,
            json={"pem": pem},
            language=language,
            expect=(201,),
        )

    async def remove_certificate(self, token: str, fingerprint: str) -> None:
        path = f"/me/certificates/{_segment(fingerprint)}"
        await self._send("DELETE", "identity", path, token=token, expect=(204,))

    # --- every service: what it holds about a child (GDPR art. 15) -----------------------

    async def privacy_export(self, token: str, service: str, child_id: str) -> Any:
        path = f"/privacy/children/{_segment(child_id)}/export"
        return (await self._send("GET", service, path, token=token)).json()

    # --- membership: the children's contracts ------------------------------------------

    async def contracts(self, token: str) -> list[dict[str, Any]]:
        return await self._every("membership", "/contracts", token=token)

    async def contract_pdf(self, token: str, contract_id: str, language: str) -> bytes:
        path = f"/contracts/{_segment(contract_id)}/document?lang={quote(language)}"
        return (await self._send("GET", "membership", path, token=token)).content

    # --- membership: plurilingual education weeks ----------------------------------------

    async def weeks(self, token: str, child_id: str | None = None) -> list[dict[str, Any]]:
        path = f"/weeks?child_id={child_id}" if child_id else "/weeks"
        return list((await self._send("GET", "membership", path, token=token)).json())

    async def week_sign_ups(self, token: str, child_id: str) -> list[dict[str, Any]]:
        path = f"/children/{child_id}/week-sign-ups"
        return list((await self._send("GET", "membership", path, token=token)).json())

    async def sign_up_for_week(self, token: str, week_id: str, child_id: str) -> None:
        body = {"child_id": child_id}
        path = f"/weeks/{week_id}/sign-ups"
        await self._send("POST", "membership", path, token=token, json=body, expect=(200, 201))

    async def cancel_week(self, token: str, week_id: str, child_id: str) -> None:
        path = f"/weeks/{week_id}/sign-ups/{child_id}/cancellation"
        await self._send("POST", "membership", path, token=token)

    # --- billing: invoices ---------------------------------------------------------------

    async def invoices(self, token: str) -> list[dict[str, Any]]:
        """Every invoice of the parent's children: billing's pages, one after the other."""
        return await self._every("billing", "/invoices", token=token)

    async def invoice(self, token: str, invoice_id: str) -> dict[str, Any]:
        response = await self._send(
            "GET", "billing", f"/invoices/{_segment(invoice_id)}", token=token
        )
        return dict(response.json())

    async def invoice_pdf(self, token: str, invoice_id: str) -> bytes:
        response = await self._send(
            "GET", "billing", f"/invoices/{_segment(invoice_id)}.pdf", token=token
        )
        return response.content

    async def usage(self, token: str) -> list[dict[str, Any]]:
        """This month so far: the open period's running total of every attached child."""
        return list((await self._send("GET", "billing", "/usage", token=token)).json())
