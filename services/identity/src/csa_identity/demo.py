"""Demo data for ``make run``: one family's myCard whose linking code is in the dev spool.

Idempotent: the card is issued once per child id; its letter (IAM code + linking code) is
readable at ``GET /identity/v1/dev/letters`` and its code is logged at first load.
"""

from __future__ import annotations

import logging
from datetime import date

from csa_identity.cards.repository import CardHolder
from csa_identity.cards.service import issue_first_card
from csa_identity.context import identity_of
from csa_shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

DEMO_CHILD_ID = "demo-identity-child-1"


async def load(runtime: ServiceRuntime) -> None:
    context = identity_of(runtime)
    await context.keys.key_set()  # publishes the JWKS file for the other services
    holder = CardHolder(
        surname="Muster",
        first_name="Maëlle",
        birth_date=date(2019, 5, 4),
        language="lb",
        address={
            "line": "12, rue de la Gare",
            "postcode": "L-1611",
            "locality": "Luxembourg",
            "country": "LU",
        },
    )
    async with runtime.unit_of_work() as session:
        issued = await issue_first_card(
            session, runtime, context, child_id=DEMO_CHILD_ID, holder=holder
        )
    if issued is not None:
        log.warning(
            "demo myCard: IAM code %s, linking code %s (also in GET /identity/v1/dev/letters)",
            issued.card.iam_code,
            issued.linking_code,
        )
