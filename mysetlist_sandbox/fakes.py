"""The fakes, registered by provider name: the one list of what the sandbox serves. Each provider's
folder declares its own (`<name>/fake.py`): where it answers, its API module, its error shapes, the
environment that points a client at it. The pipelines' registry (lib/providers/registry.py) lists
the same providers; a test holds the two lists equal (test_layout.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import Ctx
    from .http import Request, Response
    from .state import SandboxState


@dataclass(frozen=True)
class Fake:
    name: str  # the provider's key, as in the pipelines' registry and endpoint names (`spotify:album`)
    prefixes: tuple[str, ...]  # the real paths it answers at
    credentials: dict[str, str]  # what it accepts, as the environment variables a client reads
    api: ModuleType  # resolve(req) -> Route; authenticate(ctx, endpoint) -> (a 401 or None, credential)
    env: Callable[[str], dict[str, str]]  # base URL -> the environment pointing a client at it
    error: Callable[[int, dict[str, str]], Response]  # its own error shape for a status (429, 5xx)
    quota: Callable[[str | None], Response]  # its answer once the day's quota is gone (credential given)
    rate: float = 5.0  # its default requests per second, enforced when the sandbox enforces rates
    window_seconds: float = 1.0  # the window its rate is counted over
    says_retry_after: bool = False  # whether its rate-limit 429 carries a Retry-After
    # Endpoints on a host of their own (Spotify's accounts service): not paced, not quota-counted,
    # not hit by provider-wide faults.
    side_endpoints: frozenset[str] = field(default_factory=frozenset)
    # The `token_expired` fault, for a provider with tokens: (ctx, endpoint, state, credential) -> 401.
    expire_token: Callable[[Ctx, str, SandboxState, str | None], Response] | None = None
    # The last touch on every answer (content negotiation, rate headers): (req, response, state).
    finish: Callable[[Request, Response, SandboxState], Response] | None = None


def _registered() -> dict[str, Fake]:
    from .setlistfm.fake import FAKE as SETLISTFM
    from .spotify.fake import FAKE as SPOTIFY
    from .ticketmaster.fake import FAKE as TICKETMASTER

    return {f.name: f for f in (SPOTIFY, TICKETMASTER, SETLISTFM)}


FAKES: dict[str, Fake] = _registered()
PROVIDERS: tuple[str, ...] = tuple(FAKES)
# Per provider, what the sandbox accepts as credentials (never used against a real provider).
SANDBOX_CREDENTIALS: dict[str, dict[str, str]] = {name: dict(f.credentials) for name, f in FAKES.items()}
