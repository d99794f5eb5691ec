"""The control API under `/_sandbox/` (not counted): what tests, benchmarks and the demo drive.

GET  /_sandbox/health               {"ok": true, ...}
GET  /_sandbox/counters             SandboxServer.counters()
POST /_sandbox/reset                {"config": true|false} optional
GET  /_sandbox/faults               pending faults
POST /_sandbox/faults               {"provider","kind","count"?,"seconds"?,"endpoint"?} | {"spec": "spotify:429:2:1"} | a list
DELETE /_sandbox/faults             drop pending faults
GET|POST /_sandbox/config           settings (POST: enforce_rates, rates, token_ttl_seconds, today, quotas)
GET  /_sandbox/artists              every artist's ids (?synthetic=0 for the bundled ones only)
GET  /_sandbox/expected/{key}       the ground-truth counts of one artist (as in data/README.md)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .faults import Fault, parse_fault_spec
from .http import Request, Response, json_response

if TYPE_CHECKING:
    from .server import SandboxServer


def _payload(req: Request) -> Any:
    if not req.body.strip():
        return {}
    return json.loads(req.body)


def _fault(item: dict[str, Any]) -> Fault:
    if "spec" in item:
        return parse_fault_spec(item["spec"])
    return Fault(
        provider=item["provider"],
        kind=str(item["kind"]),
        count=int(item.get("count", 1)),
        seconds=item.get("seconds"),
        endpoint=item.get("endpoint"),
    )


def control(sandbox: SandboxServer, req: Request) -> Response:
    name = req.path.removeprefix("/_sandbox/").strip("/")
    try:
        return _dispatch(sandbox, req, name)
    except (ValueError, KeyError, TypeError) as exc:
        return json_response(400, {"error": f"{type(exc).__name__}: {exc}"})


def _dispatch(sandbox: SandboxServer, req: Request, name: str) -> Response:
    method = req.method
    if name == "health":
        return json_response(
            200, {"ok": True, "base_url": sandbox.base_url, "today": sandbox.today.isoformat()}
        )
    if name == "counters" and method == "GET":
        return json_response(200, sandbox.counters())
    if name == "reset" and method == "POST":
        sandbox.reset(config=bool(_payload(req).get("config", True)))
        return json_response(200, {"ok": True})
    if name == "faults":
        if method == "POST":
            payload = _payload(req)
            items = payload if isinstance(payload, list) else [payload]
            faults = [_fault(i) for i in items]  # validate all before adding any
            for f in faults:
                sandbox.state.add_fault(f)
            return json_response(200, {"faults": sandbox.faults()})
        if method == "DELETE":
            sandbox.state.clear_faults()
            return json_response(200, {"faults": []})
        return json_response(200, {"faults": sandbox.faults()})
    if name == "config":
        if method == "POST":
            return json_response(200, sandbox.configure(**_payload(req)))
        return json_response(200, sandbox.state.config.as_dict())
    if name == "artists":
        synthetic = (req.arg("synthetic") or "1") not in ("0", "false", "no")
        return json_response(200, {"artists": [r.as_dict() for r in sandbox.artists(synthetic)]})
    if name.startswith("expected/"):
        return json_response(200, sandbox.expected(name.removeprefix("expected/")))
    return json_response(404, {"error": f"no control endpoint {method} /_sandbox/{name}"})
