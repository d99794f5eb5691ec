"""A step whose provider cannot answer now (down past its retries, out of budget, breaker open) fails
alone, saying until when and that a later refresh does its work; the job's other steps still land.

Also when the profile could not link the artist on that provider for that reason (its decision is
`unavailable`, identity.py): the step does not skip as "not applicable" (that would end the job
`completed` with a hole), it fails the same way, and the next profile sync asks the provider again.
"""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg

from ..db import artist_state as artist_store
from ..http import ProviderError
from ..http.errors import CircuitOpen, label, until_text
from ..providers.clients import Providers


def not_now(
    providers: Providers, provider: str, what: str, later: str, like: ProviderError | None = None
) -> ProviderError:
    """The error to fail the step with: `like`'s type and until (it says until when), else an open
    breaker's end or the day's budget reset, from the shared pacing state."""
    name = label(provider)
    until = like.until if like is not None else None
    if like is None:
        budget = providers.budget(provider)
        if budget.circuit_open_until and budget.circuit_open_until > datetime.now(UTC):
            until = budget.circuit_open_until
        elif budget.remaining <= 0:
            until = budget.resets_at
        what += (
            f"; {name}'s budget resets / its breaker closes at {until_text(until)}"
            if until
            else f"; {name} is failing right now"
        )
    cls = type(like) if like is not None else CircuitOpen
    return cls(
        provider,
        f"{what}: a later refresh {later} once {name} answers again",
        endpoint=like.endpoint if like else None,
        status=like.status if like else None,
        until=until,
    )


def unlinked(
    conn: psycopg.Connection, providers: Providers, artist_id: str, name: str, service: str, later: str
) -> ProviderError | None:
    """The error for a step whose provider could not be asked who the artist is, or None."""
    decision = artist_store.decisions(conn, artist_id).get(service, {})
    if decision.get("status") != "unavailable":
        return None
    return not_now(
        providers,
        service,
        f"{name} has no {label(service)} link yet: {label(service)} could not answer when its "
        "identity was settled",
        later,
    )
