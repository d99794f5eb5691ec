"""setlist.fm's fake, as the sandbox's registry (fakes.py) knows it."""

from __future__ import annotations

from ..fakes import Fake
from ..faults import reason
from ..http import Request, Response, json_response
from ..state import SandboxState
from . import CREDENTIALS, api
from .shapes import negotiate


def _env(base: str) -> dict[str, str]:
    return {"SETLISTFM_API_URL": f"{base}/rest/1.0", **CREDENTIALS}


def _error(status: int, headers: dict[str, str]) -> Response:
    return json_response(
        status, {"code": status, "status": reason(status), "message": reason(status)}, headers
    )


def _quota(credential: str | None) -> Response:
    # setlist.fm cannot tell its quota from its rate limit: a bare 429.
    return json_response(429, {"code": 429, "status": "Too Many Requests", "message": "Too Many Requests"})


def _finish(req: Request, response: Response, state: SandboxState) -> Response:
    return negotiate(req, response)  # JSON or XML, as the Accept header asks


FAKE = Fake(
    name="setlistfm",
    credentials=CREDENTIALS,
    prefixes=("/rest/1.0/",),
    api=api,
    env=_env,
    error=_error,
    quota=_quota,
    rate=2.0,  # documented
    finish=_finish,
)
