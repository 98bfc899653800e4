"""The portal's own guarantees, without the services: CSRF, cookies, headers, language,
problems shown in the visitor's language, sessions that expire. The services' URLs point to
a closed port, so every call to them fails as an unreachable service would."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from csa_portal.api import ApiError
from csa_portal.app import create_portal_app
from csa_portal.i18n import LANGUAGES, catalogue, translator
from csa_portal.problems import MESSAGES, NOT_FOUND, UNEXPECTED, UNREACHABLE, message_of
from csa_portal.sessions import SessionStore
from csa_portal.settings import PortalSettings
from csa_shared.settings import Settings
from csa_shared.testing.broker import free_port

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
async def portal() -> AsyncIterator[httpx.AsyncClient]:
    platform = Settings(CSA_HTTP_HOST="127.0.0.1", CSA_HTTP_PORT=free_port())  # nobody there
    app = create_portal_app(platform, PortalSettings(PORTAL_API_TIMEOUT=2))
    root = FastAPI()
    root.mount("/portal", app)  # as the embedded platform mounts it
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=root), base_url="https://portal.test"
    ) as client:
        yield client
    await app.state.portal.apis.close()


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


async def test_every_page_sends_a_strict_policy_and_a_locked_down_session_cookie(
    portal: httpx.AsyncClient,
) -> None:
    page = await portal.get("/portal/login")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'none'" in policy and page.headers["cache-control"] == "no-store"
    cookie = page.headers["set-cookie"].lower()
    for attribute in ("httponly", "secure", "samesite=lax", "path=/portal"):
        assert attribute in cookie, cookie
    assert "<script" not in page.text


async def test_a_form_without_its_csrf_token_is_refused_before_any_service_is_called(
    portal: httpx.AsyncClient,
) -> None:
    await portal.get("/portal/login")
    body = {"iam_code": "MusMa123", "password": "whatever it is long"}
    missing = await portal.post("/portal/login", data=body)
    forged = await portal.post("/portal/login", data=body | {"csrf_token": "forged"})
    for refused in (missing, forged):
        assert refused.status_code == 400
        assert "The form has expired" in refused.text or "formulaire" in refused.text


async def test_an_unreachable_service_is_a_page_with_a_message_never_a_500(
    portal: httpx.AsyncClient,
) -> None:
    form = await portal.get("/portal/login", headers={"Accept-Language": "de"})
    body = {"iam_code": "MusMa123", "password": "whatever it is long", "csrf_token": _csrf(form)}
    page = await portal.post("/portal/login", data=body, headers={"Accept-Language": "de"})
    assert page.status_code == 503
    assert translator("de")(UNREACHABLE) in page.text
    assert 'value="MusMa123"' in page.text  # the entry is kept, the password is not


async def test_pages_of_a_signed_in_parent_send_others_to_the_login(
    portal: httpx.AsyncClient,
) -> None:
    for path in (
        "/portal/invoices",
        "/portal/invoices/x",
        "/portal/invoices/x.pdf",
        "/portal/usage",
    ):
        response = await portal.get(path)
        assert (response.status_code, response.headers["location"]) == (303, "/portal/login")
    confirm = await portal.get("/portal/login/confirm")  # no login started
    assert confirm.headers["location"] == "/portal/login"


async def test_the_chosen_language_is_remembered_and_the_return_stays_on_the_portal(
    portal: httpx.AsyncClient,
) -> None:
    chosen = await portal.get("/portal/language/pt", params={"next": "/login"})
    assert (chosen.status_code, chosen.headers["location"]) == (303, "/portal/login")
    assert "csa_portal_language=pt" in chosen.headers["set-cookie"]
    page = await portal.get("/portal/login", headers={"Accept-Language": "de"})
    assert '<html lang="pt">' in page.text and "Iniciar sessão" in page.text
    for elsewhere in ("//evil.example", "https://evil.example", "/\\evil.example"):
        away = await portal.get("/portal/language/fr", params={"next": elsewhere})
        assert away.headers["location"] == "/portal/"
    assert (await portal.get("/portal/language/xx")).status_code == 404


def test_every_text_of_the_portal_is_translated_in_every_language() -> None:
    spec = importlib.util.spec_from_file_location(
        "portal_messages", REPO / "scripts/portal_messages.py"
    )
    assert spec is not None and spec.loader is not None
    messages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(messages)
    ids = messages.message_ids()
    assert set(MESSAGES.values()) <= ids and len(ids) > 80
    for language in LANGUAGES:
        if language != "en":
            assert ids <= catalogue(language).keys(), (language, ids - catalogue(language).keys())


@pytest.mark.parametrize("language", LANGUAGES)
def test_identity_problems_read_as_sentences_in_the_visitors_language(language: str) -> None:
    _ = translator(language)
    locked = message_of(ApiError(429, "lockout.active"), _)
    assert locked == _(MESSAGES["lockout.active"])
    assert (language == "en") == (locked == MESSAGES["lockout.active"])
    assert message_of(ApiError(422, "something.new"), _) == _(UNEXPECTED)
    assert message_of(ApiError(503, "service.unreachable"), _) == _(UNREACHABLE)
    assert message_of(ApiError(404, "not-found"), _) == _(NOT_FOUND)


def test_an_idle_session_expires_and_a_full_store_drops_the_least_recent() -> None:
    now = [0.0]
    store = SessionStore(idle_seconds=60, max_sessions=2, clock=lambda: now[0])
    first, second = store.new(), store.new()
    now[0] = 30.0
    assert store.get(first.id) is first  # touched: now the most recent
    third = store.new()
    assert store.get(second.id) is None and len(store) == 2
    now[0] = 95.0
    assert store.get(third.id) is None  # idle since 30 s
    assert store.get(first.id) is None  # idle since 30 s too: 65 s > 60 s
    rotated = store.rotate(store.new())
    assert store.get(rotated.id) is rotated and len(store) == 1


async def test_the_portal_alone_serves_the_same_pages_under_portal_and_answers_healthz() -> None:
    from csa_portal.__main__ import create_standalone_app

    app = create_standalone_app()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://portal.test"
    ) as client:
        for probe in ("/healthz", "/readyz"):
            assert (await client.get(probe)).json() == {"status": "ok"}
        page = await client.get("/portal/register")
        assert page.status_code == 200 and 'action="/portal/register"' in page.text


async def test_the_stylesheet_may_be_cached_the_pages_may_not(portal: httpx.AsyncClient) -> None:
    sheet = await portal.get("/portal/static/portal.css")
    assert sheet.status_code == 200 and "cache-control" not in sheet.headers
    assert "content-security-policy" in sheet.headers
    assert (await portal.get("/portal/")).headers["cache-control"] == "no-store"
    missing = await portal.get("/portal/static/nope.css")
    assert missing.status_code == 404 and 'href="/portal/static/portal.css"' in missing.text


async def test_the_language_links_come_back_to_the_same_page_with_its_query(
    portal: httpx.AsyncClient,
) -> None:
    page = await portal.get("/portal/login", params={"from": "letter"})
    assert 'href="/portal/language/de?next=/login%3Ffrom%3Dletter"' in page.text
    back = await portal.get("/portal/language/de", params={"next": "/login?from=letter"})
    assert back.headers["location"] == "/portal/login?from=letter"
