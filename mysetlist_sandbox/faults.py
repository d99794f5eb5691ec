"""Injected faults: what can be asked for (by API or `--fault provider:kind[:count[:seconds]][@endpoint]`)
and how each provider answers it, in that provider's own error shapes (its fake's `error` / `quota`,
fakes.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .http import Response

KINDS = (
    "429",
    "429_no_retry_after",
    "500",
    "502",
    "503",
    "latency",
    "quota_exceeded",
    "token_expired",
    "bad_json",
)
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    429: "Too Many Requests",
}


def reason(status: int) -> str:
    return _REASONS.get(status, "Error")


def _fakes() -> dict[str, Any]:
    from .fakes import FAKES  # the fakes' modules import the state, which imports this module

    return FAKES


@dataclass
class Fault:
    provider: str
    kind: str
    count: int = 1  # -1: every matching call until reset
    seconds: float | None = None
    endpoint: str | None = None

    def __post_init__(self) -> None:
        fakes = _fakes()
        if self.provider not in fakes:
            raise ValueError(f"unknown provider {self.provider!r} (one of {', '.join(fakes)})")
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (one of {', '.join(KINDS)})")
        if self.kind == "token_expired" and fakes[self.provider].expire_token is None:
            raise ValueError("token_expired is a Spotify fault")
        if self.endpoint and not self.endpoint.startswith(self.provider + ":"):
            raise ValueError(f"endpoint {self.endpoint!r} is not a {self.provider} endpoint")
        if self.count == 0 or self.count < -1:
            raise ValueError("count must be positive, or -1 for every call")

    def matches(self, endpoint: str) -> bool:
        if self.endpoint is not None:
            return self.endpoint == endpoint
        # An endpoint on a host of its own (Spotify's accounts service) is not hit by provider-wide faults.
        fake = _fakes()[self.provider]
        return endpoint.startswith(self.provider + ":") and endpoint not in fake.side_endpoints

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "kind": self.kind,
            "count": self.count,
            "seconds": self.seconds,
            "endpoint": self.endpoint,
        }


def parse_fault_spec(spec: str) -> Fault:
    """`spotify:429:2:1` (2 calls, Retry-After 1), `ticketmaster:500:3`, `setlistfm:latency:2.0`
    (every call 2 s late: a latency with one number takes it as seconds), `spotify:429@spotify:album`."""
    spec, _, endpoint = spec.partition("@")
    parts = spec.split(":")
    if len(parts) < 2 or len(parts) > 4:
        raise ValueError(f"bad fault {spec!r}: use provider:kind[:count[:seconds]][@endpoint]")
    provider, kind = parts[0], parts[1]
    count, seconds = 1, None
    if kind == "latency" and len(parts) == 3:
        count, seconds = -1, float(parts[2])
    else:
        if len(parts) >= 3:
            count = int(parts[2])
        if len(parts) == 4:
            seconds = float(parts[3])
    return Fault(provider, kind, count, seconds, endpoint or None)


def fault_response(fault: Fault, apikey: str | None = None) -> Response:
    status = 429 if fault.kind.startswith("429") or fault.kind == "quota_exceeded" else int(fault.kind)
    if fault.kind == "quota_exceeded":
        return quota_response(fault.provider, apikey)
    if status == 502:
        # Gateways answer 502 in HTML whatever the API speaks: clients must not assume JSON errors.
        body = (
            b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
        )
        return Response(502, body, {}, "text/html")
    headers = {}
    if fault.kind == "429":
        headers["Retry-After"] = str(int(fault.seconds if fault.seconds is not None else 1))
    return error_response(fault.provider, status, headers)


def error_response(provider: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return _fakes()[provider].error(status, headers or {})


def quota_response(provider: str, apikey: str | None) -> Response:
    return _fakes()[provider].quota(apikey)


def truncate(response: Response) -> Response:
    """`bad_json`: a 200 whose body stops half-way (as through a dropped proxy connection)."""
    body = response.body[: max(1, len(response.body) // 2)]
    return Response(200, body, response.headers, response.content_type)
