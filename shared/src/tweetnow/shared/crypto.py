"""Encryption at rest for X access tokens (Fernet, with key rotation).

ENCRYPTION_KEYS is a list of Fernet keys: the first encrypts, all decrypt.
Rotating means putting a new key first, re-encrypting every stored token with
it (``tweetnow-rotate-keys``), then dropping the old key.

cryptography (about 7 MiB in a process) is imported at the first encryption or
decryption, not with this module: the web's requests that touch no token never
load it. The keys' format is checked at start-up without it
(``settings.is_fernet_key``).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet


class SecretBox:
    def __init__(self, keys: tuple[str, ...]) -> None:
        self._keys = keys

    @cached_property
    def _fernet(self) -> MultiFernet:
        from cryptography.fernet import Fernet, MultiFernet

        return MultiFernet([Fernet(k.encode()) for k in self._keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

    def rotate(self, token: str) -> str:
        """The same plaintext, encrypted with the first key (whichever key encrypted it)."""
        return self._fernet.rotate(token.encode()).decode()
