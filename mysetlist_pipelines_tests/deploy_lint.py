"""Checks for deployment files that no schema covers: nothing in them may look like a credential.

Credentials reach pods only through Kubernetes Secrets (envSecrets, secretKeyRef) or `{env: ...}` in
Dagster config; a value file or manifest holds at most the *names* of those Secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# Keys whose value would be a credential if it were written out.
SECRET_KEY = re.compile(r"pass(word|wd)?|secret|token|api_?key|apikey|credential|private_?key", re.I)
# Environment variables that carry credentials (the app's names plus the usual suffixes).
SECRET_ENV = re.compile(r"^(DATABASE_URL|DAGSTER_POSTGRES_URL)$|(_KEY|_SECRET|_TOKEN|PASSWORD)$", re.I)
# A Kubernetes object name: what a key like `postgres_password_secret` may legitimately hold.
K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
URL_WITH_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.I)
JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.")
TOKEN = re.compile(r"^[A-Za-z0-9+/=_-]{24,}$")
# Keys whose values are identifiers, never credentials, however random they look.
NOT_SECRET = {"tag", "digest", "image"}


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) for every mapping entry and list item, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key), value
            yield from _walk(value, child)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield f"{path}[{i}]", "", value
            yield from _walk(value, f"{path}[{i}]")


def _names_a_secret_object(key: str, value: str) -> bool:
    lowered = key.lower()
    return bool(K8S_NAME.match(value)) and (lowered.endswith("secret") or lowered.endswith("secretname"))


def _looks_like_token(value: str) -> bool:
    return bool(TOKEN.match(value)) and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def literal_secrets(document: Any) -> list[str]:
    """Paths in a parsed YAML document that hold what looks like a credential."""
    found: list[str] = []
    for path, key, value in _walk(document):
        is_env_entry = isinstance(value, dict) and "name" in value and "value" in value
        if is_env_entry and SECRET_ENV.search(str(value["name"])) and value["value"] not in (None, ""):
            found.append(f"{path}: {value['name']} is set literally; use valueFrom.secretKeyRef")
        if not isinstance(value, str) or not value or key.lower() in NOT_SECRET:
            continue
        if SECRET_KEY.search(key) and not _names_a_secret_object(key, value):
            found.append(f"{path}: a literal value under a credential key")
        elif URL_WITH_PASSWORD.search(value) or JWT.search(value) or _looks_like_token(value):
            found.append(f"{path}: the value looks like a credential")
    return found
