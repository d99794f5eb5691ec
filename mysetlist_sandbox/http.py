"""Plain request/response values the provider fakes work with (no server details leak into them)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

JSON = "application/json;charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Mapping[str, str]  # case-insensitive (an email.message.Message)
    body: bytes = b""
    host: str = "127.0.0.1"

    @classmethod
    def build(cls, method: str, target: str, headers: Mapping[str, str], body: bytes, host: str) -> Request:
        path, _, raw = target.partition("?")
        return cls(method, path, parse_qsl(raw, keep_blank_values=True), headers, body, host)

    def arg(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return default

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def base(self) -> str:
        """The absolute origin the client used, for Spotify's absolute `next` links."""
        return f"http://{self.host}"


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body, dict(headers or {}))


def query_string(params: list[tuple[str, str]]) -> str:
    """Providers leave commas and colons readable in their links (`include_groups=album,single`)."""
    return urlencode(params, safe=",:", quote_via=quote)


def with_params(
    params: list[tuple[str, str]], drop: set[str], extra: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    return [(k, v) for k, v in params if k not in drop] + extra


@dataclass(frozen=True)
class Route:
    """A matched provider call: its counter name and the function that answers it."""

    endpoint: str
    handler: Callable[..., Response]
    args: tuple[str, ...] = ()
