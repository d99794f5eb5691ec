"""Spotify's fake, as the sandbox's registry (fakes.py) knows it."""

from __future__ import annotations

from ..context import Ctx
from ..fakes import Fake
from ..faults import reason
from ..http import Response, json_response
from ..state import SandboxState
from . import CREDENTIALS, api

# Observed Spotify Development-Mode quota wait (external-apis.md).
SPOTIFY_QUOTA_RETRY_AFTER = 48925


def _env(base: str) -> dict[str, str]:
    return {
        "SPOTIFY_API_URL": f"{base}/v1",
        "SPOTIFY_AUTH_URL": f"{base}/api/token",
        **CREDENTIALS,
    }


def _error(status: int, headers: dict[str, str]) -> Response:
    message = "API rate limit exceeded" if status == 429 else reason(status)
    return json_response(status, {"error": {"status": status, "message": message}}, headers)


def _quota(credential: str | None) -> Response:
    body = {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}
    return json_response(429, body, {"Retry-After": str(SPOTIFY_QUOTA_RETRY_AFTER)})


def _expire_token(ctx: Ctx, endpoint: str, state: SandboxState, credential: str | None) -> Response:
    if credential:
        state.expire_token(credential)
    return api.authenticate(ctx, endpoint)[0] or api.error(401, "The access token expired")


FAKE = Fake(
    name="spotify",
    credentials=CREDENTIALS,
    prefixes=("/api/token", "/v1/"),
    api=api,
    env=_env,
    error=_error,
    quota=_quota,
    rate=5.0,  # conservative: Spotify publishes none
    window_seconds=30.0,  # Spotify counts over a rolling 30-second window
    says_retry_after=True,
    side_endpoints=frozenset({"spotify:token"}),
    expire_token=_expire_token,
)
