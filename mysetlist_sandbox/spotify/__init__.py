# What the fake accepts as credentials (the environment variables a client reads); never used
# against the real service.
CREDENTIALS: dict[str, str] = {
    "SPOTIFY_CLIENT_ID": "sandbox-spotify-client-id-0000000000",
    "SPOTIFY_CLIENT_SECRET": "sandbox-spotify-client-secret-000000",
}
