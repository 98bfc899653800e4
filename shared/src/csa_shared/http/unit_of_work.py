"""The request's unit of work: one transaction per request, committed before the answer.

FastAPI closes a yield-dependency after the response is sent unless it is declared with
``scope="function"``; then it closes when the endpoint returns, before anything goes out.
Every endpoint takes its session as ``unit: AsyncSession = UNIT`` (or
``Annotated[AsyncSession, UNIT]``), so a 2xx means the change is stored: a
client that reads right after its answer finds it, and a commit that fails raises into the
problem handlers (``csa_shared.http.problems``) instead of following a 2xx already sent.
An endpoint that needs a session only sometimes (attendance's ``POST /presences``: a new
presence is one autocommitted statement, no session) opens ``runtime.unit_of_work()``
itself around that work instead, which commits before the endpoint returns as well.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence

from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession


async def _request_unit(request: Request) -> AsyncIterator[AsyncSession]:
    """Endpoints and services never commit themselves: this commits (or rolls back)."""
    async with request.app.state.runtime.unit_of_work() as unit:
        yield unit


UNIT = Depends(_request_unit, scope="function")


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def _routes(router: APIRouter) -> Iterator[APIRoute]:
    """The router's routes, those of the routers included in it too (FastAPI 0.165 keeps an
    included router whole, as ``original_router``)."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            yield route
        elif isinstance(included := getattr(route, "original_router", None), APIRouter):
            yield from _routes(included)


def check_commits_before_response(routers: Sequence[APIRouter]) -> None:
    """Refuse to build an app whose routes would commit after their response is sent
    (the unit's dependency declared again without ``scope="function"``)."""
    for router in routers:
        for route in _routes(router):
            for dependency in _dependencies(route.dependant):
                if dependency.call is _request_unit and dependency.scope != "function":
                    raise RuntimeError(
                        f"{route.path}: take the session as `unit: AsyncSession = UNIT` "
                        "(csa_shared.http.unit_of_work), which commits before the response"
                    )
