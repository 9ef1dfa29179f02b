"""Encryption at rest for X access tokens (Fernet, with key rotation).

ENCRYPTION_KEYS is a list of Fernet keys: the first encrypts, all decrypt.
Rotating means putting a new key first, re-encrypting every stored token with
it (``tweetnow-rotate-keys``), then dropping the old key.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, MultiFernet


class SecretBox:
    def __init__(self, keys: tuple[str, ...]) -> None:
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

    def rotate(self, token: str) -> str:
        """The same plaintext, encrypted with the first key (whichever key encrypted it)."""
        return self._fernet.rotate(token.encode()).decode()
