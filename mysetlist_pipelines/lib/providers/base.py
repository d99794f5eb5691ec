"""The base of every provider model: unknown fields ignored, aliases accepted, blank strings as None.

Two kinds of wrong answers (docs/providers.md): a page (or object) of the wrong shape, e.g. an old API
version's root or an error body, fails the call (`parse`: a BadProviderResponse naming the provider, the
endpoint, the fields and the top-level keys that came instead); one malformed item inside a good page
(a setlist with a bad date, an event without an id) is skipped and counted (`parse_items`), the rest
kept. Page models therefore require their list field and take its items raw.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..http.errors import BadProviderResponse
from ..redaction import redacting_logger

M = TypeVar("M", bound=BaseModel)

log = redacting_logger(__name__)


class ProviderModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def parse(model: type[M], data: Any, provider: str, endpoint: str) -> M:
    """`model` from an answer; an answer of the wrong shape is a BadProviderResponse that says which
    fields were wrong (field paths and messages only, never the values)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc)
        if isinstance(data, dict):
            # Key names only (never values): "got keys: setlists" tells an old API root at a glance.
            keys = ", ".join(sorted(str(k) for k in data)[:8]) or "none"
            got = f"; got keys: {keys}"
        else:
            got = f"; got a JSON {_json_type(data)} instead of an object"
        raise BadProviderResponse(
            provider, f"the answer does not have the expected shape ({problems}{got})", endpoint=endpoint
        ) from None


def parse_items(
    model: type[M],
    items: list[Any],
    provider: str,
    endpoint: str,
    *,
    noun: str,
    skipped: Counter[str] | None = None,
) -> list[M]:
    """Each item of a page that has the expected shape; a malformed one is left out, counted in
    `skipped` as "malformed <noun> (<field>)" and logged (field paths and messages, never values)."""
    parsed: list[M] = []
    for index, item in enumerate(items):
        try:
            parsed.append(model.model_validate(item))
        except ValidationError as exc:
            errors = exc.errors(include_input=False, include_url=False)
            field = ".".join(str(p) for p in errors[0]["loc"]) if errors and errors[0]["loc"] else "item"
            if skipped is not None:
                skipped[f"malformed {noun} ({field})"] += 1
            log.warning("%s: skipped malformed %s #%d of a page (%s)", endpoint, noun, index, _problems(exc))
    return parsed


def malformed_note(skipped: Counter[str]) -> str:
    """The step-message clause for what `parse_items` left out ("" when nothing was)."""
    counts: Counter[str] = Counter()
    for reason, n in skipped.items():
        if reason.startswith("malformed "):
            counts[reason.removeprefix("malformed ").split(" (", 1)[0]] += n
    if not counts:
        return ""
    parts = ", ".join(f"{n} {noun}{'s' if n > 1 else ''}" for noun, n in sorted(counts.items()))
    return f"; skipped malformed provider items: {parts} (which fields: the step's `skipped` metadata)"


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
        for err in exc.errors(include_input=False, include_url=False)[:5]
    )


def _json_type(data: Any) -> str:
    if isinstance(data, list):
        return "array"
    if isinstance(data, str):
        return "string"
    if data is None:
        return "null"
    return "number" if isinstance(data, int | float) else type(data).__name__
