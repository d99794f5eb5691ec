"""Plain Python (no Dagster imports): settings, providers, matching, database access."""
