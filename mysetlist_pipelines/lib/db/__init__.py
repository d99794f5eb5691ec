"""The app's Postgres: URLs, the embedded server, migrations, connections and bulk writes."""
