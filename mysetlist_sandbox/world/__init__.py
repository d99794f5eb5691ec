"""A simulated world of N artists for the fleet-freshness benchmark (issue 15), served at the providers'
real paths by the sandbox when it is started with `world=World(...)`.

Day by day, as the sandbox's `today` advances, shows get announced, moved and cancelled, they
happen, setlists appear after them (with `lastUpdated`, some edited later), and releases come out.
Everything is seeded and deterministic; the state at any instant is computed from per-event
timestamps, so nothing is mutated as time moves (model.py), and the per-day indexes the endpoints
need are built once per day (index.py). routes.py answers the endpoints the signal plan and the
per-artist steps call, in the shapes of ticketmaster.py / setlistfm.py / spotify.py.
"""

from .model import World, WorldConfig

__all__ = ["World", "WorldConfig"]
