"""An App Store app's configuration, as the verifier and the API client need it."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding


@dataclass(frozen=True, slots=True)
class ApiCredentials:
    """An App Store Server API key (App Store Connect > Users and Access > Integrations)."""

    issuer_id: str
    key_id: str
    private_key: str = field(repr=False)  # the .p8 file's PEM text


@dataclass(frozen=True, slots=True)
class AppStoreApp:
    store_app_id: int
    project_id: int
    bundle_id: str
    app_apple_id: int | None
    root_certificates: tuple[bytes, ...]  # DER
    online_checks: bool
    credentials: ApiCredentials | None = None

    @property
    def fingerprint(self) -> str:
        """Changes whenever what verification depends on changes (verifier cache key)."""
        digest = hashlib.sha256()
        digest.update(
            json.dumps([self.store_app_id, self.bundle_id, self.app_apple_id, self.online_checks]).encode()
        )
        for certificate in self.root_certificates:
            digest.update(certificate)
        return digest.hexdigest()


def certificate_der(data: bytes) -> bytes:
    """A certificate given as DER or PEM, as DER; ValueError if it is neither."""
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data).public_bytes(Encoding.DER)
    return x509.load_der_x509_certificate(data).public_bytes(Encoding.DER)


def load_root_certificates(paths: str | None) -> tuple[bytes, ...]:
    """APPLE_ROOT_CERTIFICATES: comma-separated paths of DER or PEM files."""
    if not paths:
        return ()
    return tuple(certificate_der(Path(p.strip()).read_bytes()) for p in paths.split(",") if p.strip())


def decode_root_certificates(values: list[str]) -> tuple[bytes, ...]:
    """rootCertificates as the API takes them: base64 DER."""
    return tuple(certificate_der(base64.b64decode(value, validate=True)) for value in values)


def app_from_config(
    store_app_id: int,
    project_id: int,
    bundle_id: str,
    config: dict[str, Any],
    secrets: dict[str, Any],
    default_roots: tuple[bytes, ...],
) -> AppStoreApp:
    roots = tuple(base64.b64decode(c) for c in config.get("root_certificates") or []) or default_roots
    credentials = None
    if secrets.get("private_key") and config.get("issuer_id") and config.get("key_id"):
        credentials = ApiCredentials(config["issuer_id"], config["key_id"], secrets["private_key"])
    apple_id = config.get("app_apple_id")
    return AppStoreApp(
        store_app_id=store_app_id,
        project_id=project_id,
        bundle_id=bundle_id,
        app_apple_id=int(apple_id) if apple_id else None,
        root_certificates=roots,
        online_checks=bool(config.get("online_checks", True)),
        credentials=credentials,
    )
