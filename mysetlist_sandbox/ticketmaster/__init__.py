# What the fake accepts as credentials (the environment variables a client reads); never used
# against the real service.
CREDENTIALS: dict[str, str] = {"TICKETMASTER_API_KEY": "sandbox-ticketmaster-api-key-0000000"}
