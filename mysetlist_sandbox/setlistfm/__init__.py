# What the fake accepts as credentials (the environment variables a client reads); never used
# against the real service.
CREDENTIALS: dict[str, str] = {"SETLISTFM_API_KEY": "sandbox-setlistfm-api-key-000000000000"}
