"""The base of every provider model: unknown fields ignored, aliases accepted, blank strings as None."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from .http.errors import BadProviderResponse

M = TypeVar("M", bound=BaseModel)


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
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)[:5]
        )
        raise BadProviderResponse(
            provider, f"the answer does not have the expected shape ({problems})", endpoint=endpoint
        ) from None
