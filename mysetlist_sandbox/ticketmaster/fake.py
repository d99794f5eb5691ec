"""Ticketmaster's fake, as the sandbox's registry (fakes.py) knows it."""

from __future__ import annotations

from datetime import UTC, datetime

from ..fakes import Fake
from ..faults import reason
from ..http import Request, Response, json_response
from ..state import SandboxState
from . import CREDENTIALS, api


def _env(base: str) -> dict[str, str]:
    return {"TICKETMASTER_API_URL": f"{base}/discovery/v2", **CREDENTIALS}


def _error(status: int, headers: dict[str, str]) -> Response:
    code = (
        "policies.ratelimit.SpikeArrestViolation"
        if status == 429
        else "messaging.adaptors.http.flow.ServiceUnavailable"
    )
    text = "Spike arrest violation. Allowed rate : 5ps" if status == 429 else reason(status)
    return json_response(status, {"fault": {"faultstring": text, "detail": {"errorcode": code}}}, headers)


def _quota(credential: str | None) -> Response:
    # Faithful to the real gateway: the body echoes the caller's key (clients must redact it).
    text = f"Rate limit quota violation. Quota limit  exceeded. Identifier : {credential}"
    body = {"fault": {"faultstring": text, "detail": {"errorcode": "policies.ratelimit.QuotaViolation"}}}
    return json_response(429, body)


# The documented default daily quota, what the rate headers say when the sandbox sets none.
TM_DAILY_QUOTA = 5000


def _rate_headers(state: SandboxState) -> dict[str, str]:
    configured, used = state.quota_use("ticketmaster")
    limit = TM_DAILY_QUOTA if configured is None else configured
    now = datetime.now(UTC)
    midnight = datetime(now.year, now.month, now.day, tzinfo=UTC).timestamp() + 86400
    return {
        "Rate-Limit": str(limit),
        "Rate-Limit-Available": str(max(0, limit - used)),
        "Rate-Limit-Over": str(max(0, used - limit)),
        "Rate-Limit-Reset": str(int(midnight * 1000)),
    }


def _finish(req: Request, response: Response, state: SandboxState) -> Response:
    if response.status == 200:  # every good answer says the day's quota, as the real one does
        response.headers.update(_rate_headers(state))
    return response


FAKE = Fake(
    name="ticketmaster",
    credentials=CREDENTIALS,
    prefixes=("/discovery/v2/",),
    api=api,
    env=_env,
    error=_error,
    quota=_quota,
    rate=5.0,  # documented
    finish=_finish,
)
