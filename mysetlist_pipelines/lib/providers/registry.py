"""The providers: one place lists them. Each declares itself in its own folder (`<name>/spec.py`);
adding one is a new folder plus an entry here (docs/architecture.md, "A new provider").

Readers go through `specs()` / `spec(name)` / `names()` / `label(name)` at call time, so what is
registered is what every generic reader sees: the settings, the clients bundle (sessions, pacing,
quotas, breaker), the HTTP errors' labels, check-env, status, the devserver and the id checks.
"""

from __future__ import annotations

from .provider_spec import ProviderSpec
from .setlistfm.spec import SPEC as SETLISTFM
from .spotify.spec import SPEC as SPOTIFY
from .ticketmaster.spec import SPEC as TICKETMASTER

# In the order everything lists them (status, check-env, the fleet's per-provider tables).
SPECS: tuple[ProviderSpec, ...] = (SPOTIFY, TICKETMASTER, SETLISTFM)


def specs() -> tuple[ProviderSpec, ...]:
    return SPECS


def names() -> tuple[str, ...]:
    return tuple(s.name for s in SPECS)


def spec(name: str) -> ProviderSpec:
    for s in SPECS:
        if s.name == name:
            return s
    raise KeyError(f"unknown provider {name!r} (one of {', '.join(names())})")


def label(name: str) -> str:
    """The provider's display name; an unknown name is shown as it is."""
    return next((s.label for s in SPECS if s.name == name), name)


def credential_fields() -> tuple[str, ...]:
    return tuple(field for s in SPECS for field in s.credentials)


def named_in(text: str | None) -> str | None:
    """The one provider a text names (by key or label); None when it names none, or several.

    Only for an error that reached us as text alone (a Dagster failure event after the run's process
    died): wherever the exception itself is at hand, its `provider` attribute says who to blame."""
    named = {s.name for s in SPECS if text and s.mentioned_in(text)}
    return named.pop() if len(named) == 1 else None
