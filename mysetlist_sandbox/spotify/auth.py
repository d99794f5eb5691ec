"""Spotify's accounts service (client-credentials tokens, Basic or form credentials) and the bearer
check of the Web API: 401 for a missing, unknown or expired token, as Spotify words them."""

from __future__ import annotations

import base64
from binascii import Error as B64Error
from urllib.parse import parse_qsl

from ..context import Ctx
from ..http import Response, json_response
from . import CREDENTIALS


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response(status, {"error": {"status": status, "message": message}}, headers)


# -- auth ---------------------------------------------------------------------------------------
def authenticate(ctx: Ctx, endpoint: str) -> tuple[Response | None, str | None]:
    """(a 401 to answer, or None; the bearer token presented)."""
    if endpoint == "spotify:token":
        return None, None
    header = ctx.req.header("Authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized("No token provided"), None
    state = ctx.state.token_state(token.strip())
    if state == "expired":
        return _unauthorized("The access token expired"), token
    if state == "invalid":
        return _unauthorized("Invalid access token"), token
    return None, token.strip()


def _unauthorized(message: str) -> Response:
    challenge = f'Bearer realm="spotify", error="invalid_token", error_description="{message}"'
    return error(401, message, {"WWW-Authenticate": challenge})


def token(ctx: Ctx) -> Response:
    creds = CREDENTIALS
    form = dict(parse_qsl(ctx.req.body.decode("utf-8", "replace")))
    client_id, secret = form.get("client_id"), form.get("client_secret")
    scheme, _, encoded = (ctx.req.header("Authorization") or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (B64Error, UnicodeDecodeError):
            return _oauth_error("invalid_client", "Invalid client")
    if form.get("grant_type") is None:
        return _oauth_error("unsupported_grant_type", "grant_type parameter is missing")
    if form["grant_type"] != "client_credentials":
        return _oauth_error(
            "unsupported_grant_type",
            "grant_type must be client_credentials, authorization_code or refresh_token",
        )
    if client_id != creds["SPOTIFY_CLIENT_ID"]:
        return _oauth_error("invalid_client", "Invalid client")
    if secret != creds["SPOTIFY_CLIENT_SECRET"]:
        return _oauth_error("invalid_client", "Invalid client secret")
    access, ttl = ctx.state.issue_token()
    return json_response(200, {"access_token": access, "token_type": "Bearer", "expires_in": ttl})


def _oauth_error(code: str, description: str) -> Response:
    return json_response(400, {"error": code, "error_description": description})
