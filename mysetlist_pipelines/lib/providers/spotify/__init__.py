"""Spotify: spec.py (what the registry knows), client.py (the calls and their cost), models.py.

Nothing is imported here: the registry reads spec.py while the settings are built, before the client
(and lib/http) can be imported."""
