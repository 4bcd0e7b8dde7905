"""Store credentials encrypted at rest with a key derived from the SECRET_KEY setting.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) does the encryption; HKDF
turns the operator's SECRET_KEY, whatever its length, into the key. A box with no
SECRET_KEY refuses to seal, so a credential is never stored in the clear.
"""

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Changing this would make every stored secret unreadable: it names the key's purpose.
_INFO = b"customer-profile store-app secrets v1"


class SecretKeyMissing(Exception):
    """SECRET_KEY is not set, so credentials cannot be stored."""


class SecretUnreadable(Exception):
    """A stored secret does not open with this server's SECRET_KEY."""


class SecretBox:
    def __init__(self, secret_key: str | None) -> None:
        self._fernet = Fernet(_derive(secret_key)) if secret_key else None

    @property
    def available(self) -> bool:
        return self._fernet is not None

    def seal(self, values: dict[str, Any]) -> str:
        if self._fernet is None:
            raise SecretKeyMissing("SECRET_KEY is not set")
        return self._fernet.encrypt(json.dumps(values, sort_keys=True).encode()).decode()

    def open(self, sealed: str | None) -> dict[str, Any]:
        if not sealed:
            return {}
        if self._fernet is None:
            raise SecretKeyMissing("SECRET_KEY is not set")
        try:
            opened: dict[str, Any] = json.loads(self._fernet.decrypt(sealed.encode()))
        except InvalidToken as error:
            raise SecretUnreadable("stored secret does not open with this SECRET_KEY") from error
        return opened


def _derive(secret_key: str) -> bytes:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(key)
