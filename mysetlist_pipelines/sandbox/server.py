"""The sandbox HTTP server (stdlib ThreadingHTTPServer): routing, auth, faults, counters."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # placeholder until the provider routes land
        body = json.dumps({"error": {"status": 404, "message": "not implemented"}}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class SandboxServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, **_: object) -> None:
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def serve_forever(host: str, port: int, faults: list[str], enforce_rates: bool) -> None:
    server = SandboxServer(host, port)
    print(f"sandbox on {server.base_url}", flush=True)
    server._httpd.serve_forever()
