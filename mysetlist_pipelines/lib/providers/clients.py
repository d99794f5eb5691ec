"""The registry's provider clients built in one place, sharing one pacer, breaker and call counter.

    with Providers.from_settings(get_settings(), app_database_url(settings)) as providers:
        before = providers.calls()
        artist = providers.spotify.artist(spotify_id)
        spent = providers.calls_since(before)          # {"spotify:artist": 1, "spotify:token": 1}
        left = providers.remaining_today("ticketmaster")

Pacing, quotas and breakers live in the `pipelines` schema of `conninfo` (sql/0003), so every run and
process that builds its Providers on the same database shares them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import requests

from ..http import (
    Budget,
    CallCounter,
    CircuitBreaker,
    HttpPolicy,
    Pacer,
    ProviderLimits,
    ProviderSession,
    StateStore,
)
from ..settings import Settings
from . import registry
from .setlistfm.client import SetlistFmClient
from .spotify.client import SpotifyClient
from .ticketmaster.client import TicketmasterClient

# Every registered provider, for scripts and tests that list them (read `registry.names()` where a
# provider registered later must show too).
PROVIDERS: tuple[str, ...] = registry.names()


def limits_from_settings(settings: Settings) -> dict[str, ProviderLimits]:
    """Each registered provider's rate, burst and daily quota, from its spec's settings fields."""
    return {spec.name: spec.limits(settings) for spec in registry.specs()}


@dataclass
class Providers:
    clients: dict[str, Any]  # provider name -> its client (the spec's build_client)
    pacer: Pacer
    breaker: CircuitBreaker
    counter: CallCounter
    store: StateStore
    sessions: list[ProviderSession] = field(default_factory=list)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        conninfo: str,
        *,
        policy: HttpPolicy | None = None,
        limits: Mapping[str, ProviderLimits] | None = None,
    ) -> Providers:
        """Clients for `settings` (URLs, credentials, rates, quotas, HTTP policy), with pacing state
        in the database at `conninfo`. `policy` / `limits` override the settings (tests)."""
        policy = policy or HttpPolicy.from_settings(settings)
        store = StateStore(conninfo)
        pacer = Pacer(store, limits or limits_from_settings(settings))
        breaker = CircuitBreaker(
            store, threshold=policy.breaker_threshold, cooldown_seconds=policy.breaker_cooldown
        )
        counter = CallCounter()
        sessions = {
            spec.name: ProviderSession(
                spec.name,
                pacer=pacer,
                breaker=breaker,
                counter=counter,
                policy=policy,
                http=requests.Session(),
            )
            for spec in registry.specs()
        }
        return cls(
            clients={
                spec.name: spec.build_client(settings, sessions[spec.name]) for spec in registry.specs()
            },
            pacer=pacer,
            breaker=breaker,
            counter=counter,
            store=store,
            sessions=list(sessions.values()),
        )

    def client(self, provider: str) -> Any:
        return self.clients[provider]

    # Typed shortcuts for the steps that call one provider by name (lib/sync, lib/fleet).
    @property
    def spotify(self) -> SpotifyClient:
        return self.clients["spotify"]

    @property
    def ticketmaster(self) -> TicketmasterClient:
        return self.clients["ticketmaster"]

    @property
    def setlistfm(self) -> SetlistFmClient:
        return self.clients["setlistfm"]

    def calls(self) -> dict[str, int]:
        """Calls this process made so far, by endpoint name (`{"spotify:album": 12, ...}`)."""
        return self.counter.snapshot()

    def calls_since(self, earlier: Mapping[str, int]) -> dict[str, int]:
        """Calls made since the snapshot `earlier` (what one asset or step spent)."""
        return self.counter.since(earlier)

    def calls_by_provider(self, calls: Mapping[str, int] | None = None) -> dict[str, int]:
        return self.counter.by_provider(calls)

    def remaining_today(self, provider: str) -> int:
        """Calls left in today's budget for `provider`, across every run and process."""
        return self.pacer.remaining_today(provider)

    def budget(self, provider: str) -> Budget:
        """Today's budget of `provider`: quota, used, remaining, reset time, breaker state."""
        return self.pacer.budget(provider)

    def consume(self, provider: str, calls: int = 1) -> int:
        """Record `calls` made outside these clients against today's budget; returns today's total."""
        return self.pacer.consume(provider, calls)

    def close(self) -> None:
        for session in self.sessions:
            session.close()
        self.store.close()

    def __enter__(self) -> Providers:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
