"""Raw HTTP calls to the sandbox with `requests`, exactly as a client would make them (no project client)."""

from __future__ import annotations

from typing import Any

import requests

from mysetlist_sandbox import sandbox_env
from mysetlist_sandbox.fakes import SANDBOX_CREDENTIALS

TM_KEY = SANDBOX_CREDENTIALS["ticketmaster"]["TICKETMASTER_API_KEY"]
FM_KEY = SANDBOX_CREDENTIALS["setlistfm"]["SETLISTFM_API_KEY"]
SP_ID = SANDBOX_CREDENTIALS["spotify"]["SPOTIFY_CLIENT_ID"]
SP_SECRET = SANDBOX_CREDENTIALS["spotify"]["SPOTIFY_CLIENT_SECRET"]
TIMEOUT = 10


def urls(base: str) -> dict[str, str]:
    env = sandbox_env(base)
    return {
        "token": env["spotify"]["SPOTIFY_AUTH_URL"],
        "spotify": env["spotify"]["SPOTIFY_API_URL"],
        "ticketmaster": env["ticketmaster"]["TICKETMASTER_API_URL"],
        "setlistfm": env["setlistfm"]["SETLISTFM_API_URL"],
    }


def token(base: str) -> str:
    r = requests.post(
        urls(base)["token"],
        data={"grant_type": "client_credentials"},
        auth=(SP_ID, SP_SECRET),
        timeout=TIMEOUT,
    )
    r.raise_for_status()
    return r.json()["access_token"]


class Spotify:
    def __init__(self, base: str) -> None:
        self.api = urls(base)["spotify"]
        self.headers = {"Authorization": f"Bearer {token(base)}"}

    def get(self, path: str, **params: Any) -> requests.Response:
        url = path if path.startswith("http") else self.api + path
        return requests.get(url, params=params or None, headers=self.headers, timeout=TIMEOUT)

    def all_pages(self, path: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
        """Every item, following absolute `next` links; also the number of calls it took."""
        page = self.get(path, **params).json()
        items, calls = list(page["items"]), 1
        while page["next"]:
            page = self.get(page["next"]).json()
            items += page["items"]
            calls += 1
        return items, calls


def tm(base: str, path: str, **params: Any) -> requests.Response:
    params.setdefault("apikey", TM_KEY)
    return requests.get(urls(base)["ticketmaster"] + path, params=params, timeout=TIMEOUT)


def tm_follow(base: str, href: str) -> requests.Response:
    """Follow a relative `_links.next.href`, adding the apikey back as Ticketmaster requires."""
    origin = base.rstrip("/")
    sep = "&" if "?" in href else "?"
    return requests.get(f"{origin}{href}{sep}apikey={TM_KEY}", timeout=TIMEOUT)


def fm(base: str, path: str, accept: str | None = "application/json", **params: Any) -> requests.Response:
    # Accept=None drops the header entirely (requests would otherwise send */*).
    headers: dict[str, str | None] = {"x-api-key": FM_KEY, "Accept": accept}
    return requests.get(
        urls(base)["setlistfm"] + path, params=params or None, headers=headers, timeout=TIMEOUT
    )
