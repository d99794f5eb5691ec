"""The sandbox HTTP server: one loopback server for all three providers at their real paths.

Every provider call goes through the same steps, in the order the real services apply them: route
(the endpoint name used by the counters) -> count -> auth (401) -> injected latency -> rate window and
daily quota (429) -> injected fault -> the provider's answer. `/_sandbox/...` is the control API
(control.py), never counted.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .context import Ctx
from .dataset import ArtistRef, Dataset
from .fakes import FAKES, Fake
from .faults import Fault, fault_response, parse_fault_spec, truncate
from .http import Request, Response, json_response
from .state import Config, SandboxState

# Which fake answers a path: every registered fake at each of its real prefixes.
_ROUTES: tuple[tuple[str, Fake], ...] = tuple(
    (prefix, fake) for fake in FAKES.values() for prefix in fake.prefixes
)


def _as_fault(f: Fault | str | dict[str, Any]) -> Fault:
    if isinstance(f, Fault):
        return f
    if isinstance(f, str):
        return parse_fault_spec(f)
    return Fault(**f)


class SandboxServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        enforce_rates: bool = False,
        faults: Iterable[Fault | str | dict[str, Any]] = (),
        today: date | str | None = None,
        synthetic_artists: int = 0,
        world: Any = None,
    ) -> None:
        self.dataset = Dataset(synthetic_artists)
        # A simulated world (sandbox/world/) answers the endpoints it serves; the bundled data the rest.
        self.world = None
        if world is not None:
            from .world.routes import WorldRoutes

            self.world = WorldRoutes(world)
        self.started_on = datetime.now(UTC).date()
        initial_today = date.fromisoformat(today) if isinstance(today, str) else today
        self.state = SandboxState(
            Config(enforce_rates=enforce_rates, today=initial_today), [_as_fault(f) for f in faults]
        )
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.sandbox = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- control (mirrored over HTTP by control.py) ---------------------------------------------
    @property
    def today(self) -> date:
        return self.state.today(self.started_on)

    def counters(self) -> dict[str, Any]:
        return self.state.counters()

    def reset(self, config: bool = True) -> None:
        """Counters, faults, tokens, rate windows and quota use; with `config`, settings too."""
        self.state.reset(config=config)

    def add_fault(
        self,
        provider: str,
        kind: str,
        count: int = 1,
        seconds: float | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.state.add_fault(Fault(provider, kind, count, seconds, endpoint))

    def faults(self) -> list[dict[str, Any]]:
        return self.state.pending_faults()

    def configure(self, **kw: Any) -> dict[str, Any]:
        return self.state.configure(**kw)

    def artists(self, synthetic: bool = True) -> list[ArtistRef]:
        return [r for r in self.dataset.refs if synthetic or not r.synthetic]

    def artist(self, key: str) -> ArtistRef:
        return self.dataset.refs_by_key[key]

    def expected(self, key: str) -> dict[str, Any]:
        from .expected import expected

        return expected(self.dataset, key, self.today)

    # -- the request pipeline -------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path.startswith("/_sandbox/"):
            from .control import control

            return control(self, req)
        fake = next(
            (fake for prefix, fake in _ROUTES if req.path.startswith(prefix) or req.path == prefix), None
        )
        if fake is None:
            return json_response(404, {"error": f"no provider serves {req.path.split('?')[0]}"})
        route = (self.world and self.world.resolve(fake.name, req)) or fake.api.resolve(req)
        self.state.record_call(route.endpoint)
        ctx = Ctx(req, self.dataset, self.state, self.today)
        response = self._answer(fake, route, ctx)
        if fake.finish is not None:
            response = fake.finish(req, response, self.state)
        self.state.record_status(fake.name, response.status)
        return response

    def _answer(self, fake: Fake, route: Any, ctx: Ctx) -> Response:
        denied, credential = fake.api.authenticate(ctx, route.endpoint)
        if denied is not None:
            return denied
        delay, fault = self.state.take_faults(route.endpoint)
        if delay:
            time.sleep(delay)
        if route.endpoint not in fake.side_endpoints:  # a host of its own is paced separately, if at all
            allowed, wait = self.state.admit(fake.name)
            if not allowed:
                return fake.error(429, {"Retry-After": str(wait)} if fake.says_retry_after else {})
            if self.state.over_quota(fake.name):
                return fake.quota(credential)
        if fault is None or fault.kind == "bad_json":
            response = route.handler(ctx, *route.args)
            if fault is not None:
                response = truncate(response)
        elif fault.kind == "token_expired" and fake.expire_token is not None:
            response = fake.expire_token(ctx, route.endpoint, self.state, credential)
        else:
            response = fault_response(fault, credential)
        return response


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections as with the real APIs
    server_version = "mysetlist-sandbox/1.0"
    # TCP_NODELAY: headers and body go out in two writes; with Nagle on, the body waits for the
    # client's delayed ACK, and every answer on a kept-alive connection took ~40 ms (benchmarks).
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        sandbox: SandboxServer = self.server.sandbox  # type: ignore[attr-defined]
        host = self.headers.get("Host") or sandbox.base_url.removeprefix("http://")
        try:
            response = sandbox.handle(Request.build(self.command, self.path, self.headers, body, host))
        except Exception:  # a sandbox bug must show as a 500, not a dropped connection
            traceback.print_exc(file=sys.stderr)
            response = json_response(500, {"error": {"status": 500, "message": "sandbox error"}})
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:
        pass  # request lines carry Ticketmaster's apikey: never log them


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve_forever(
    host: str,
    port: int,
    faults: list[str],
    enforce_rates: bool,
    *,
    today: str | None = None,
    synthetic_artists: int = 0,
) -> None:
    """`mysetlist sandbox`: serve until Ctrl-C or SIGTERM."""
    server = SandboxServer(
        host,
        port,
        enforce_rates=enforce_rates,
        faults=faults,
        today=today,
        synthetic_artists=synthetic_artists,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    base = server.base_url
    print(f"sandbox on {base}", flush=True)
    print(
        f"  Spotify {base}/v1 (token {base}/api/token)  Ticketmaster {base}/discovery/v2  setlist.fm {base}/rest/1.0\n"
        f"  control {base}/_sandbox/counters  artists: {len(server.artists())}  today: {server.today}"
        f"  rates enforced: {'yes' if enforce_rates else 'no'}  faults: {len(server.faults())}",
        flush=True,
    )
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._httpd.server_close()
        print("sandbox stopped", flush=True)
