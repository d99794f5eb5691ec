"""Injected faults: what can be asked for (by API or `--fault provider:kind[:count[:seconds]][@endpoint]`)
and how each provider answers it, in that provider's own error shapes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .http import Response, json_response

PROVIDERS = ("spotify", "ticketmaster", "setlistfm")
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
# Observed Spotify Development-Mode quota wait (external-apis.md).
SPOTIFY_QUOTA_RETRY_AFTER = 48925
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    429: "Too Many Requests",
}


@dataclass
class Fault:
    provider: str
    kind: str
    count: int = 1  # -1: every matching call until reset
    seconds: float | None = None
    endpoint: str | None = None

    def __post_init__(self) -> None:
        if self.provider not in PROVIDERS:
            raise ValueError(f"unknown provider {self.provider!r} (one of {', '.join(PROVIDERS)})")
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (one of {', '.join(KINDS)})")
        if self.kind == "token_expired" and self.provider != "spotify":
            raise ValueError("token_expired is a Spotify fault")
        if self.endpoint and not self.endpoint.startswith(self.provider + ":"):
            raise ValueError(f"endpoint {self.endpoint!r} is not a {self.provider} endpoint")
        if self.count == 0 or self.count < -1:
            raise ValueError("count must be positive, or -1 for every call")

    def matches(self, endpoint: str) -> bool:
        if self.endpoint is not None:
            return self.endpoint == endpoint
        # The accounts service is its own host: provider-wide faults hit the Web API, not token calls.
        return endpoint.startswith(self.provider + ":") and endpoint != "spotify:token"

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
    reason = _REASONS.get(status, "Error")
    if provider == "spotify":
        message = "API rate limit exceeded" if status == 429 else reason
        return json_response(status, {"error": {"status": status, "message": message}}, headers)
    if provider == "ticketmaster":
        code = (
            "policies.ratelimit.SpikeArrestViolation"
            if status == 429
            else "messaging.adaptors.http.flow.ServiceUnavailable"
        )
        text = "Spike arrest violation. Allowed rate : 5ps" if status == 429 else reason
        return json_response(status, {"fault": {"faultstring": text, "detail": {"errorcode": code}}}, headers)
    return json_response(status, {"code": status, "status": reason, "message": reason}, headers)


def quota_response(provider: str, apikey: str | None) -> Response:
    if provider == "spotify":
        body = {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}
        return json_response(429, body, {"Retry-After": str(SPOTIFY_QUOTA_RETRY_AFTER)})
    if provider == "ticketmaster":
        # Faithful to the real gateway: the body echoes the caller's key (clients must redact it).
        text = f"Rate limit quota violation. Quota limit  exceeded. Identifier : {apikey}"
        body = {"fault": {"faultstring": text, "detail": {"errorcode": "policies.ratelimit.QuotaViolation"}}}
        return json_response(429, body)
    return json_response(429, {"code": 429, "status": "Too Many Requests", "message": "Too Many Requests"})


def truncate(response: Response) -> Response:
    """`bad_json`: a 200 whose body stops half-way (as through a dropped proxy connection)."""
    body = response.body[: max(1, len(response.body) // 2)]
    return Response(200, body, response.headers, response.content_type)
