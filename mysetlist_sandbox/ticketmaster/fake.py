"""Ticketmaster's fake, as the sandbox's registry (fakes.py) knows it."""

from __future__ import annotations

from .. import SANDBOX_CREDENTIALS
from ..fakes import Fake
from ..faults import reason
from ..http import Request, Response, json_response
from ..state import SandboxState
from . import api


def _env(base: str) -> dict[str, str]:
    return {"TICKETMASTER_API_URL": f"{base}/discovery/v2", **SANDBOX_CREDENTIALS["ticketmaster"]}


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


def _finish(req: Request, response: Response, state: SandboxState) -> Response:
    if response.status == 200:  # every good answer says the day's quota, as the real one does
        response.headers.update(state.tm_rate_headers())
    return response


FAKE = Fake(
    name="ticketmaster",
    prefixes=("/discovery/v2/",),
    api=api,
    env=_env,
    error=_error,
    quota=_quota,
    finish=_finish,
)
