"""A replay server for the recorded real answers in ../shared/realdata (provenance in its SOURCES.md).

Each recorded file is served, read from there on every request (never copied into the project), at the
endpoint path it was recorded from, under one prefix per provider:

    /spotify/v1/...                 Spotify Web API (plus /spotify/token, see below)
    /ticketmaster/discovery/v2/...  Ticketmaster Discovery v2 (`/x` and `/x.json` are the same path,
                                    as on the real API; `page=0` is the same as no page)
    /setlistfm/rest/1.0/...         setlist.fm API 1.0

The project's real clients (lib/providers/clients.py: the same sessions, pacing, breaker and HTTP policy as in
production) talk to it through their base-URL settings. A test plays a *scene*: the recorded files it
needs, each answering only the request that matches its route (path, plus the page parameter where a
path holds several pages); anything else is a 404 whose body says "not recorded", and every request is
logged, so a test can assert which next page a client asked for. On leaving the scene every file must
have been served at least once, so a test cannot claim a file it never sent through a client.

Spotify's token endpoint is the one answer not recorded (no public recording shows one without its
secret): the server answers it with a fixed bearer token of the documented shape.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
PREFIX = {
    "spotify": "/spotify/v1",
    "ticketmaster": "/ticketmaster/discovery/v2",
    "setlistfm": "/setlistfm/rest/1.0",
}
TOKEN_PATH = "/spotify/token"
ABSENT = None  # a query constraint: the parameter must not be sent


@dataclass(frozen=True)
class Route:
    """Where a recorded file was requested: provider, path under the provider's API root, and the
    query parameters that tell its page from the path's other pages (value ABSENT: not sent)."""

    provider: str
    path: str
    query: tuple[tuple[str, str | None], ...] = ()

    def full_path(self) -> str:
        path = PREFIX[self.provider] + self.path
        return _tm_path(path) if self.provider == "ticketmaster" else path

    def matches(self, path: str, query: dict[str, str]) -> bool:
        return path == self.full_path() and all(query.get(k) == v for k, v in self.query)


def _r(provider: str, path: str, **query: str | None) -> Route:
    return Route(provider, path, tuple(sorted(query.items())))


AM = "7Ln80lUS6He07XvHI8qqHH"  # Arctic Monkeys
UNUSUAL = "0sNOF9WDwhWunNAHPD3Baj"  # She's So Unusual
PHISH = "e01646f2-2a04-450d-8bf2-0d993082e058"
BABYMETAL = "27e2997f-f7a1-4353-bcc4-57b9274fa9a4"
STEREOPHONICS = "0bfba3d3-6a04-4779-bb0a-df07df5b0558"

# Every recorded file and the request it answers (SOURCES.md's recorded request where it names one,
# else the endpoint its `href`/`_links.self` or its author names).
ROUTES: dict[str, Route] = {
    "spotify/artist-arctic-monkeys-2014.json": _r("spotify", f"/artists/{AM}"),
    "spotify/artist-band-of-horses.json": _r("spotify", "/artists/0OdUWJ0sBjDrqHygGUXeCF"),
    "spotify/artist-katatonia-2023.json": _r("spotify", "/artists/2CWWgbxApjbyByxBBCvGTm"),
    "spotify/search-artist-arctic-limit10-2017.json": _r("spotify", "/search"),
    "spotify/search-artist-arctic-offset10-2017.json": _r("spotify", "/search"),
    "spotify/search-artist-muse-offset5.json": _r("spotify", "/search"),
    "spotify/search-artist-tania-bowra.json": _r("spotify", "/search"),
    "spotify/artist-albums-arctic-monkeys-2014.json": _r("spotify", f"/artists/{AM}/albums", offset="0"),
    "spotify/artist-albums-avicii-singles-limit2-2019.json": _r(
        "spotify", "/artists/1vCWHaC5f2uS3yhpwWbIA6/albums", offset="0"
    ),
    "spotify/album-69-love-songs-2017.json": _r("spotify", "/albums/2js3lkzAjWpD656NK7ZaJX"),
    "spotify/album-tracks-69-love-songs-offset50-2017.json": _r(
        "spotify", "/albums/2js3lkzAjWpD656NK7ZaJX/tracks", offset="50"
    ),
    "spotify/album-am-2019.json": _r("spotify", "/albums/5bU1XKYxHhEwukllT20xtk"),
    "spotify/album-shes-so-unusual-precision-year.json": _r("spotify", f"/albums/{UNUSUAL}"),
    "spotify/album-shes-so-unusual-2014-beta.json": _r("spotify", f"/albums/{UNUSUAL}"),
    "spotify/album-tracks-shes-so-unusual.json": _r("spotify", f"/albums/{UNUSUAL}/tracks", offset="0"),
    "spotify/album-sky-void-of-stars-2023.json": _r("spotify", "/albums/4EcfbzCtbJDk2wMwhT4D1h"),
    "spotify/album-tracks-sky-void-of-stars-2023.json": _r(
        "spotify", "/albums/4EcfbzCtbJDk2wMwhT4D1h/tracks", offset="0"
    ),
    "ticketmaster/attraction-susquehanna-breakdown-2016.json": _r("ticketmaster", "/attractions/K8vZ917Kew0"),
    "ticketmaster/attraction-docs-2016.json": _r("ticketmaster", "/attractions/K8vZ9175BhV.json"),
    "ticketmaster/attractions-search-2016.json": _r("ticketmaster", "/attractions", page=ABSENT),
    "ticketmaster/attractions-search-size1-docs-2016.json": _r(
        "ticketmaster", "/attractions.json", page=ABSENT
    ),
    "ticketmaster/events-2016-mixed-sources.json": _r("ticketmaster", "/events", page=ABSENT),
    "ticketmaster/events-2016-page2-size5.json": _r("ticketmaster", "/events", page=ABSENT),
    "ticketmaster/events-docs-size1-2016.json": _r("ticketmaster", "/events.json", page=ABSENT),
    "ticketmaster/event-radiohead-docs-2016.json": _r("ticketmaster", "/events/G5diZfkn0B-bh.json"),
    "ticketmaster/event-susquehanna-rv-pass-2016.json": _r("ticketmaster", "/events/vv17FZfdGkSrrMju"),
    "ticketmaster/events-metallica-worldwired-2017.json": _r("ticketmaster", "/events.json", page=ABSENT),
    "ticketmaster/events-lady-gaga-sf-2017.json": _r("ticketmaster", "/events.json", page=ABSENT),
    "ticketmaster/events-ny-music-2020.json": _r("ticketmaster", "/events.json", page=ABSENT),
    "ticketmaster/events-us-2020.json": _r("ticketmaster", "/events.json", page=ABSENT),
    "ticketmaster/events-pl-2024.json": _r("ticketmaster", "/events.json", page=ABSENT),
    "ticketmaster/venue-pavilion-montage-2016.json": _r("ticketmaster", "/venues/KovZpZAEA76A"),
    "ticketmaster/venue-docs-morrisburg-2016.json": _r("ticketmaster", "/venues/KovZpZAFnIEA.json"),
    "setlistfm/artist-babymetal-2017.json": _r("setlistfm", f"/artist/{BABYMETAL}"),
    "setlistfm/search-artists-babymetal-2017.json": _r("setlistfm", "/search/artists", p="1"),
    "setlistfm/search-artists-metal-2017.json": _r("setlistfm", "/search/artists", p="1"),
    "setlistfm/artist-setlists-babymetal-p1-2017.json": _r(
        "setlistfm", f"/artist/{BABYMETAL}/setlists", p="1"
    ),
    "setlistfm/artist-setlists-babymetal-p2-2017.json": _r(
        "setlistfm", f"/artist/{BABYMETAL}/setlists", p="2"
    ),
    "setlistfm/setlist-fotos-2008-empty-song.json": _r("setlistfm", "/setlist/6bd6ca6e"),
    "setlistfm/venue-setlists-compaq-center-2017.json": _r("setlistfm", "/venue/6bd6ca6e/setlists", p="1"),
    "setlistfm/artist-stereophonics-2022.json": _r("setlistfm", f"/artist/{STEREOPHONICS}"),
    "setlistfm/search-artists-stereophonics-2022.json": _r("setlistfm", "/search/artists", p="1"),
    "setlistfm/artist-setlists-stereophonics-p2-2022.json": _r(
        "setlistfm", f"/artist/{STEREOPHONICS}/setlists", p="2"
    ),
    "setlistfm/setlist-beatles-hollywood-bowl-1964.json": _r("setlistfm", "/setlist/63de4613"),
    "setlistfm/search-setlists-foo-fighters-2022.json": _r("setlistfm", "/search/setlists", p="1"),
    "setlistfm/artist-setlists-phish-2023.json": _r("setlistfm", f"/artist/{PHISH}/setlists", p="1"),
    "setlistfm/artist-setlists-phish-2025.json": _r("setlistfm", f"/artist/{PHISH}/setlists", p="1"),
    "setlistfm/artist-setlists-pearl-jam-2018.json": _r(
        "setlistfm", "/artist/83b9cbe7-9857-49e2-ab8e-b57b01038103/setlists", p="1"
    ),
    # API 0.1 answers (old formats): requested the same way, refused by the client.
    "setlistfm/setlists-metallica-2016-api01.json": _r(
        "setlistfm", "/artist/65f4f0c5-ef9e-490c-aee3-909e7ae6b2ab/setlists", p="1"
    ),
    "setlistfm/artist-setlists-of-montreal-2015-api01.json": _r(
        "setlistfm", "/artist/8475297d-fb78-4630-8d74-9b87b6bb7cc8/setlists", p="1"
    ),
}


def recorded_files() -> set[str]:
    """Every recorded answer under REALDATA (relative names such as `spotify/album-am-2019.json`)."""
    return {p.relative_to(REALDATA).as_posix() for p in REALDATA.glob("*/*.json")}


def load(name: str) -> Any:
    return json.loads((REALDATA / name).read_text(encoding="utf-8"))


# -- expectations read from the raw JSON, independently of the project's models ------------------

ENCORE_NAME = re.compile(r"^\s*encore\b", re.I)


def raw_setlist_facts(item: dict[str, Any]) -> dict[str, Any]:
    """What one raw setlist holds: songs played (in order), encore songs, covers, tape and blanks."""
    played, encore, covers, tape, blank = [], [], [], 0, 0
    for one in item.get("sets", {}).get("set", []):
        in_encore = bool(one.get("encore")) or bool(ENCORE_NAME.match(one.get("name") or ""))
        for song in one.get("song", []):
            if song.get("tape"):
                tape += 1
            elif not (song.get("name") or "").strip():
                blank += 1
            else:
                played.append(song["name"].strip())
                if in_encore:
                    encore.append(song["name"].strip())
                if song.get("cover"):
                    covers.append(song["name"].strip())
    return {"played": played, "encore": encore, "covers": covers, "tape": tape, "blank": blank}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    served: str | None  # the recorded file answered, None for a 404


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    scene: tuple[str, ...] = ()
    edits: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    log: list[Request] = field(default_factory=list)


class ReplayServer:
    """Threaded loopback HTTP server replaying recorded answers; `with server.scene(files) as log:`."""

    def __init__(self) -> None:
        self._state = _State()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self._state))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="replay", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def urls(self) -> dict[str, str]:
        """The settings that point the clients here."""
        return {
            "spotify_api_url": self.base_url + PREFIX["spotify"],
            "spotify_auth_url": self.base_url + TOKEN_PATH,
            "ticketmaster_api_url": self.base_url + PREFIX["ticketmaster"],
            "setlistfm_api_url": self.base_url + PREFIX["setlistfm"],
        }

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    @contextmanager
    def scene(
        self, *files: str, edits: Mapping[str, Callable[[Any], Any]] | None = None
    ) -> Iterator[list[Request]]:
        """Serve `files` (each at its route) until the block ends; yields the live request log. Two
        files of a scene may not answer the same request. Every file must have been served by the end.
        `edits` maps a file to a function of its parsed JSON whose result is served instead (a good
        recorded page with one item broken); the file itself is never changed."""
        for i, name in enumerate(files):
            if name not in ROUTES:
                raise KeyError(f"{name}: no route in replay.ROUTES")
            for other in files[:i]:
                if ROUTES[other] == ROUTES[name]:
                    raise ValueError(f"{name} and {other} answer the same request: play them apart")
        with self._state.lock:
            self._state.scene, self._state.log = tuple(files), []
            self._state.edits = dict(edits or {})
        log = self._state.log
        try:
            yield log
        finally:
            with self._state.lock:
                self._state.scene, self._state.edits = (), {}
        served = {r.served for r in log}
        missing = [f for f in files if f not in served]
        assert not missing, f"recorded files of the scene never requested by a client: {missing}"


def _tm_path(path: str) -> str:
    return path.removesuffix(".json")


def _handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # the request log is the record; keep the test output clean

        def _reply(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _route(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            path = parts.path
            if path.startswith(PREFIX["ticketmaster"]):
                path = _tm_path(path)
                if query.get("page") == "0":
                    del query["page"]
            if method == "POST" and path == TOKEN_PATH:
                self._reply(200, b'{"access_token":"replay-token","token_type":"Bearer","expires_in":3600}')
                return
            with state.lock:
                found = next((f for f in state.scene if ROUTES[f].matches(path, query)), None)
                edit = state.edits.get(found) if found else None
                state.log.append(Request(method, path, query, found))
            if method != "GET" or found is None:
                self._reply(404, json.dumps({"error": "not recorded", "path": path}).encode())
                return
            body = (REALDATA / found).read_bytes()
            self._reply(200, json.dumps(edit(json.loads(body))).encode() if edit else body)

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self._route("POST")

    return Handler
