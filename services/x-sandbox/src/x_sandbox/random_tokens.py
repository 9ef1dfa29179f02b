"""Random, URL-safe strings for request tokens, their secrets and verifiers."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def random_token(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
