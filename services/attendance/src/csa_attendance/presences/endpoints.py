"""HTTP routes of ingest (provider systems), presence corrections and reads of presences
and reservations: each maps its use case's outcome to HTTP."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, NoReturn

import orjson
from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance import access
from csa_attendance.domain.errors import Code, violation_json
from csa_attendance.presences import corrections, repository, service
from csa_attendance.presences.reads import ReadFilter, page_of
from csa_attendance.presences.schemas import (
    AmendIn,
    BatchIn,
    BatchOut,
    MealIn,
    PresenceHistoryOut,
    PresenceIn,
    PresenceOut,
    PresencePage,
    ReservationPage,
    VersionOut,
    VoidIn,
    presence_json,
    presence_out,
    reservation_out,
    valid_batch,
)
from csa_attendance.tables import presences, reservations
from csa_shared.auth import Principal
from csa_shared.errors import Conflict, Forbidden, Unprocessable
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(tags=["presences"])

TOO_LARGE = {
    413: {
        "description": "More than 1000 items; nothing was looked at",
        "content": {
            "application/problem+json": {
                "example": {
                    "type": "https://csa.lu/problems/batch-too-large",
                    "title": "Payload too large",
                    "status": 413,
                    "detail": "items: a batch holds at most 1000 items, got 1001",
                    "limit": 1000,
                    "size": 1001,
                }
            }
        },
    }
}


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unprocessable(f"malformed JSON: {exc}", code="malformed-json") from exc


def _outcome_json(r: service.ItemOutcome) -> dict[str, Any]:
    """An item's outcome as `ItemResultOut` documents it (no pydantic model per item)."""
    return {
        "index": r.index,
        "record_id": r.record_id,
        "kind": r.kind,
        "outcome": r.outcome,
        "id": r.id,
        "errors": [violation_json(v) for v in r.errors] if r.errors else [],
    }


@dataclass(frozen=True, slots=True)
class One:
    """A record posted alone, stored: its id; ``fields`` as posted (just inserted: version 1,
    active, not read back), or None for an identical repeat (the caller reads it back)."""

    id: str
    fields: dict[str, Any] | None


FIRST = {"version": 1, "status": "active"}


async def ingest_one(request: Request, principal: Principal, body: PresenceIn | MealIn) -> One:
    """One record (`POST /presences`, `POST /meals`), accepted or a duplicate; a refusal is
    raised as its problem (403 another provider's, 409 a conflicting repeat, 422 otherwise).
    Committed before the answer (`service.record`: one round trip for a new record the
    cached registry accepts, else the request's unit of work)."""
    provider_id = access.provider_of(principal)
    (result,) = await service.record(runtime_of(request), provider_id, [body])
    if result.outcome == "rejected":
        _refuse(result)
    assert result.id is not None
    if result.outcome == "duplicate":
        return One(result.id, None)
    posted = body.model_dump(exclude={"kind", "provider_id"})
    return One(result.id, {**posted, "id": result.id, "provider_id": provider_id} | FIRST)


@router.post(
    "/presences",
    status_code=status.HTTP_201_CREATED,
    response_model=PresenceOut,
    responses={
        200: {"model": PresenceOut, "description": "Already recorded (idempotent repeat)"},
        **problem_responses(409, 422),
    },
    summary="Record one presence (provider system)",
)
async def post_presence(
    body: PresenceIn,
    request: Request,
    response: Response,
    principal: Principal = Depends(authenticated),
) -> PresenceOut:
    one = await ingest_one(request, principal, body)
    if one.fields is None:
        response.status_code = status.HTTP_200_OK
        async with runtime_of(request).unit_of_work() as unit:
            return presence_out(await repository.presence_row(unit, one.id))
    return PresenceOut(**one.fields)


def _refuse(result: service.ItemOutcome) -> NoReturn:
    """The problem a rejected presence answers: 403, 409 or 422."""
    detail = "; ".join(f"{e.field}: {e.message}" for e in result.errors)
    errors = [violation_json(e) for e in result.errors]
    if any(e.code is Code.NOT_AUTHORISED for e in result.errors):
        raise Forbidden(detail)
    if any(e.code is Code.CONFLICTING_REPEAT for e in result.errors):
        raise Conflict(detail, code="idempotency-conflict", errors=errors, existing_id=result.id)
    raise Unprocessable(detail, errors=errors)


@router.post(
    "/declarations/batch",
    response_model=BatchOut,
    responses={**problem_responses(422), **TOO_LARGE},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": BatchIn.model_json_schema(ref_template="#/components/schemas/{model}")
                }
            },
        }
    },
    summary="Declare up to 1000 presences, meals and reservations; per-item results",
)
async def post_batch(
    request: Request,
    principal: Principal = Depends(authenticated),
) -> Response:
    # (`service.record`: a batch of one new presence or meal is stored as `POST /presences`
    # stores one, in one round trip; any other in the request's unit of work)
    runtime = runtime_of(request)
    provider_id = access.provider_of(principal)
    raw = await request.body()
    items: list[Any] | None = valid_batch(raw)  # the common case: all valid, checked at once
    if items is None:  # some item is not: the service looks at each for per-item results
        body = _json(raw)
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise Unprocessable("the body is an object with a list of items", code="invalid-input")
        items = body["items"]
    # more than 1000 items: BatchTooLarge, a 413
    results = await service.record(runtime, provider_id, items)
    count = Counter(r.outcome for r in results)
    document = {
        "accepted": count["accepted"],
        "duplicate": count["duplicate"],
        "rejected": count["rejected"],
        "results": [_outcome_json(r) for r in results],
    }
    # `BatchOut`, serialised without a pydantic model per item (the results are built from
    # checked values, see `service.ItemOutcome`).
    return Response(orjson.dumps(document), media_type="application/json")


async def _corrected(
    request: Request, principal: Principal, presence_id: str, amend: AmendIn | None, reason: str
) -> Response:
    """The corrected presence as `PresenceOut` documents it (`_timed_record`'s fields;
    serialised without a pydantic model: its fields are plain, read from the database).
    No session unless the correction takes the locked path (`corrections.correct`)."""
    row = await corrections.correct(runtime_of(request), principal, presence_id, amend, reason)
    return Response(orjson.dumps(presence_json(row)), media_type="application/json")


@router.post(
    "/presences/{presence_id}/amend",
    response_model=PresenceOut,
    responses=problem_responses(404, 422),
    summary="Amend a presence's times with a reason (a new version; history kept)",
)
async def amend(
    presence_id: str,
    body: AmendIn,
    request: Request,
    principal: Principal = Depends(authenticated),
) -> Response:
    return await _corrected(request, principal, presence_id, body, body.reason)


@router.post(
    "/presences/{presence_id}/void",
    response_model=PresenceOut,
    responses=problem_responses(404, 422),
    summary="Void a presence with a reason (history kept)",
)
async def void(
    presence_id: str,
    body: VoidIn,
    request: Request,
    principal: Principal = Depends(authenticated),
) -> Response:
    return await _corrected(request, principal, presence_id, None, body.reason)


@router.get(
    "/presences/{presence_id}",
    response_model=PresenceHistoryOut,
    responses=problem_responses(404),
    summary="A presence with its versions",
)
async def show(
    presence_id: str,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> PresenceHistoryOut:
    row, versions = await corrections.show(unit, principal, presence_id)
    return PresenceHistoryOut(
        **presence_out(row).model_dump(),
        versions=[
            VersionOut(
                version=v.version,
                start=v.start,
                end=v.end,
                status=v.status,
                reason=v.reason,
                recorded_at=v.recorded_at,
            )
            for v in versions
        ],
    )


@router.get(
    "/presences",
    response_model=PresencePage,
    responses=problem_responses(422),
    summary="Presences: a provider's own, a parent's children's, or per provider (agents)",
)
async def list_presences(
    query: ReadFilter = Depends(),
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> PresencePage:
    rows, next_cursor = await page_of(unit, principal, query, what="presences", table=presences)
    return PresencePage(items=[presence_out(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/reservations",
    response_model=ReservationPage,
    responses=problem_responses(422),
    summary="Reservations: a provider's own, a parent's children's, or per provider (agents)",
)
async def list_reservations(
    query: ReadFilter = Depends(),
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> ReservationPage:
    rows, next_cursor = await page_of(
        unit, principal, query, what="reservations", table=reservations
    )
    return ReservationPage(items=[reservation_out(r) for r in rows], next_cursor=next_cursor)
