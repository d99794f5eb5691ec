"""The signal plan (issue 15): keep a large fleet fresh from what changed, not per artist on a timer.

    allow = day_allowances(quotas, used_today, reserve_fraction=0.2)
    report = run_day(conn, providers, now=now, allow=allow, settings=SignalSettings())

Per provider (docs/operations.md, "Keeping a large fleet fresh"): Ticketmaster's market-wide music
event search by country and date window (tm_sweep.py), setlist.fm's `lastUpdated` feed or, when it
is not available, per-artist checks of shows that happened without a setlist (fm_feed.py), Spotify's
album list on a weekly cadence and profiles every 30 days (spotify_cadence.py). Each writes the app's
tables through the same writers as the per-artist steps (lib/db/shows, lib/sync/artist_setlists,
lib/sync/artist_catalog). Plain functions; `now` is a parameter so a simulation can run days in minutes.
"""

from .day import DayReport, SignalSettings, day_allowances, run_day

__all__ = ["DayReport", "SignalSettings", "day_allowances", "run_day"]
