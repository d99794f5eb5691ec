"""Sync and import pipelines for the MySetlist app, as a Dagster code location."""
