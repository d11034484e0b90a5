"""Encryption of secrets at rest (Zoom tokens, PKCE verifiers, private links) with rotatable Fernet keys.

The first key encrypts; every key decrypts, so an operator rotates by putting a new key first in
``ENCRYPTION_KEY`` and keeping the old ones until ``rotate`` has re-encrypted what was stored.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)

KEY_FILE_NAME = "encryption.key"


class SecretUnreadable(Exception):
    """A stored secret was encrypted with a key that is no longer configured."""


class SecretExpired(SecretUnreadable):
    """A secret made to expire (see ``SecretCipher.decrypt_fresh``) is older than it may be."""


class SecretCipher:
    """Encrypts and decrypts short strings; holds the keys, never logs them."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(key.strip()) for key in keys])

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, ciphertext: bytes) -> str:
        try:
            return self._fernet.decrypt(ciphertext).decode()
        except InvalidToken:
            raise SecretUnreadable("a stored secret cannot be decrypted with the configured keys") from None

    def encrypt_at(self, plaintext: str, moment: datetime) -> bytes:
        """``encrypt``, stamped with ``moment``: for a secret handed out that must stop working after a while."""
        return self._fernet.encrypt_at_time(plaintext.encode(), int(moment.timestamp()))

    def decrypt_fresh(self, ciphertext: bytes, max_age: timedelta, now: datetime) -> str:
        """``decrypt`` of a secret stamped no more than ``max_age`` before ``now``: SecretExpired when it is older,
        SecretUnreadable when it was never made with our keys (or was altered)."""
        try:
            return self._fernet.decrypt_at_time(ciphertext, int(max_age.total_seconds()), int(now.timestamp())).decode()
        except InvalidToken:
            self.decrypt(ciphertext)  # SecretUnreadable if it is not ours at all; if it is, only its age failed
        raise SecretExpired("a secret handed out earlier is too old to be used")

    def rotate(self, ciphertext: bytes) -> bytes:
        """The same secret encrypted under the current first key."""
        try:
            return self._fernet.rotate(ciphertext)
        except InvalidToken:
            raise SecretUnreadable("a stored secret cannot be decrypted with the configured keys") from None

    def __repr__(self) -> str:
        return "SecretCipher(<keys hidden>)"


def load_keys(configured: str | None, data_dir: Path) -> list[str]:
    """The configured keys, or the key kept in the data folder (made on first run, with a warning)."""
    if configured:
        return [key.strip() for key in configured.split(",") if key.strip()]
    key_file = data_dir / KEY_FILE_NAME
    if key_file.exists():
        return [key_file.read_text().strip()]
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    log.warning(
        "ENCRYPTION_KEY is not set: generated one in %s. Back it up with the database, "
        "or set ENCRYPTION_KEY (python -m bot genkey) so that tokens stay readable.",
        key_file,
    )
    return [key]
