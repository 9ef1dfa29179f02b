"""Encryption at rest for X access tokens (Fernet, with key rotation).

ENCRYPTION_KEYS is a comma-separated list of Fernet keys: the first encrypts,
all decrypt. Without it a key is derived from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet


class SecretBox:
    def __init__(self, keys: tuple[str, ...], secret_key: str) -> None:
        if not keys:
            derived = hashlib.sha256(b"tweetnow-token-encryption:" + secret_key.encode()).digest()
            keys = (base64.urlsafe_b64encode(derived).decode(),)
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()
