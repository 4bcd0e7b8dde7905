"""A certificate chain of the tests' own, shaped like Apple's, and App Store data signed
with it, so the real `SignedDataVerifier` (strict checks on) verifies what tests send.

Root -> intermediate (OID 1.2.840.113635.100.6.2.1) -> leaf (OID
1.2.840.113635.100.6.11.1), P-256 keys, subject and authority key identifiers (strict
X.509 checks need them), valid from 2020 so old signedDates still verify offline. With
`ocsp_url`, the intermediate and the leaf name an OCSP responder (`OcspResponder`, on
loopback) in their Authority Information Access.
"""

from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from tests.fake_stores import FakeServer, Request

LEAF_OID = x509.ObjectIdentifier("1.2.840.113635.100.6.11.1")
INTERMEDIATE_OID = x509.ObjectIdentifier("1.2.840.113635.100.6.2.1")
ASN1_NULL = b"\x05\x00"
NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2040, 1, 1, tzinfo=UTC)

BUNDLE_ID = "com.example.app"
APP_APPLE_ID = 1234567890


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    apple_oid: x509.ObjectIdentifier | None,
    ocsp_url: str | None,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer.subject if issuer else _name(subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca and issuer else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if apple_oid is not None:
        builder = builder.add_extension(x509.UnrecognizedExtension(apple_oid, ASN1_NULL), critical=False)
    if ocsp_url and issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class TestPKI:
    """Apple's chain, made by the tests. `sign` makes JWS the way the App Store does."""

    __test__ = False  # not a test class, despite the name

    def __init__(self, ocsp_url: str | None = None, name: str = "Test") -> None:
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.intermediate_key = ec.generate_private_key(ec.SECP256R1())
        self.leaf_key = ec.generate_private_key(ec.SECP256R1())
        self.root = _certificate(
            f"{name} Root CA", self.root_key, None, self.root_key, ca=True, apple_oid=None, ocsp_url=None
        )
        self.intermediate = _certificate(
            f"{name} WWDR",
            self.intermediate_key,
            self.root,
            self.root_key,
            ca=True,
            apple_oid=INTERMEDIATE_OID,
            ocsp_url=ocsp_url,
        )
        self.leaf = _certificate(
            f"{name} App Store Signing",
            self.leaf_key,
            self.intermediate,
            self.intermediate_key,
            ca=False,
            apple_oid=LEAF_OID,
            ocsp_url=ocsp_url,
        )

    @property
    def root_der(self) -> bytes:
        return _der(self.root)

    @property
    def root_base64(self) -> str:
        return base64.b64encode(self.root_der).decode()

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def sign(self, claims: dict[str, Any]) -> str:
        chain = [base64.b64encode(_der(c)).decode() for c in (self.leaf, self.intermediate, self.root)]
        return jwt.encode(claims, self.leaf_key, algorithm="ES256", headers={"x5c": chain})


def transaction_claims(
    transaction_id: str,
    purchased_at: datetime,
    expires_at: datetime | None,
    *,
    original_transaction_id: str | None = None,
    product_id: str = "monthly",
    environment: str = "Production",
    bundle_id: str = BUNDLE_ID,
    price: int | None = 9990,
    currency: str = "USD",
    signed_at: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "transactionId": transaction_id,
        "originalTransactionId": original_transaction_id or transaction_id,
        "webOrderLineItemId": f"woli-{transaction_id}",
        "bundleId": bundle_id,
        "productId": product_id,
        "purchaseDate": ms(purchased_at),
        "originalPurchaseDate": ms(purchased_at),
        "quantity": 1,
        "type": "Auto-Renewable Subscription" if expires_at else "Non-Consumable",
        "inAppOwnershipType": "PURCHASED",
        "signedDate": ms(signed_at or purchased_at),
        "environment": environment,
        "transactionReason": "PURCHASE",
        "storefront": "USA",
        "storefrontId": "143441",
        "currency": currency,
    }
    if expires_at:
        claims["expiresDate"] = ms(expires_at)
        claims["subscriptionGroupIdentifier"] = "group-1"
    if price is not None:
        claims["price"] = price
    claims.update(extra)
    return claims


def renewal_claims(
    original_transaction_id: str,
    signed_at: datetime,
    *,
    product_id: str = "monthly",
    auto_renew: bool = True,
    environment: str = "Production",
    **extra: Any,
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "originalTransactionId": original_transaction_id,
        "productId": product_id,
        "autoRenewProductId": product_id,
        "autoRenewStatus": 1 if auto_renew else 0,
        "signedDate": ms(signed_at),
        "environment": environment,
        "recentSubscriptionStartDate": ms(signed_at),
    }
    claims.update(extra)
    return claims


def notification_payload(
    pki: TestPKI,
    notification_type: str,
    *,
    transaction: dict[str, Any] | None = None,
    renewal: dict[str, Any] | None = None,
    subtype: str | None = None,
    signed_at: datetime | None = None,
    environment: str = "Production",
    bundle_id: str = BUNDLE_ID,
    app_apple_id: int | None = APP_APPLE_ID,
    notification_uuid: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {"bundleId": bundle_id, "environment": environment, "status": 1}
    if app_apple_id is not None:
        data["appAppleId"] = app_apple_id
    if transaction is not None:
        data["signedTransactionInfo"] = pki.sign(transaction)
    if renewal is not None:
        data["signedRenewalInfo"] = pki.sign(renewal)
    claims: dict[str, Any] = {
        "notificationType": notification_type,
        "notificationUUID": notification_uuid or str(uuid.uuid4()),
        "data": data,
        "version": "2.0",
        "signedDate": ms(signed_at or datetime.now(UTC)),
    }
    if subtype:
        claims["subtype"] = subtype
    return claims


class OcspResponder(FakeServer):
    """Answers OCSP requests for a TestPKI: GOOD unless the serial is in `revoked`."""

    def __init__(self) -> None:
        super().__init__()
        self.pki: TestPKI | None = None
        self.revoked: set[int] = set()

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.requests.append(Request(scope["method"], scope["path"], {}, {}, body))
        status, answer = (503, b"") if self.answer == 503 else (200, self._respond(body))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/ocsp-response")],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    def _respond(self, body: bytes) -> bytes:
        assert self.pki is not None
        request = ocsp.load_der_ocsp_request(body)
        pki = self.pki
        if request.serial_number == pki.leaf.serial_number:
            cert, issuer, issuer_key = pki.leaf, pki.intermediate, pki.intermediate_key
        else:
            cert, issuer, issuer_key = pki.intermediate, pki.root, pki.root_key
        now = datetime.now(UTC)
        revoked = cert.serial_number in self.revoked
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=cert,
            issuer=issuer,
            algorithm=request.hash_algorithm,
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            this_update=now - timedelta(minutes=1),
            next_update=now + timedelta(hours=1),
            revocation_time=now - timedelta(days=1) if revoked else None,
            revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
        )
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, issuer)
        return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def handle(self, request: Request) -> tuple[int, Any]:  # pragma: no cover - _app answers
        raise NotImplementedError


def now_ms() -> int:
    return int(time.time() * 1000)


class FakeAppStoreServerApi(FakeServer):
    """The App Store Server API's history (the whole Apple account's, every purchase) and
    subscription status endpoints.

    Every request must carry the ES256 bearer token Apple requires (kid, iss,
    aud=appstoreconnect-v1, bid), signed with the key `public_key` belongs to."""

    def __init__(self, pki: TestPKI, issuer_id: str, key_id: str) -> None:
        super().__init__()
        self.pki = pki
        self.issuer_id = issuer_id
        self.key_id = key_id
        self.signing_key = ec.generate_private_key(ec.SECP256R1())
        self.transactions: list[dict[str, Any]] = []
        self.renewal: dict[str, Any] | None = None

    @property
    def private_key_pem(self) -> str:
        return self.signing_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return False
        token = header.removeprefix("Bearer ")
        try:
            claims = jwt.decode(
                token, self.signing_key.public_key(), algorithms=["ES256"], audience="appstoreconnect-v1"
            )
        except jwt.PyJWTError:
            return False
        return (
            jwt.get_unverified_header(token).get("kid") == self.key_id
            and claims.get("iss") == self.issuer_id
            and claims.get("bid") == BUNDLE_ID
        )

    def handle(self, request: Request) -> tuple[int, Any]:
        if request.method != "GET" or not self._authorised(request):
            return 401, {"errorCode": 4010000, "errorMessage": "Unauthenticated"}
        known = {t["transactionId"] for t in self.transactions}
        transaction_id = request.path.rsplit("/", 1)[-1]
        if transaction_id not in known:
            return 404, {"errorCode": 4040010, "errorMessage": "Transaction id not found."}
        asked = next(t for t in self.transactions if t["transactionId"] == transaction_id)
        original = asked["originalTransactionId"]
        if request.path.startswith("/inApps/v2/history/"):
            # Two pages, so the client must follow `revision`.
            page = 1 if request.query.get("revision") == ["page-2"] else 0
            half = (len(self.transactions) + 1) // 2
            chunk = self.transactions[:half] if page == 0 else self.transactions[half:]
            return 200, {
                "signedTransactions": [self.pki.sign(t) for t in chunk],
                "revision": "page-2" if page == 0 else "end",
                "hasMore": page == 0 and len(self.transactions) > half,
                "bundleId": BUNDLE_ID,
                "environment": "Production",
            }
        if request.path.startswith("/inApps/v1/subscriptions/"):
            latest = [t for t in self.transactions if t["originalTransactionId"] == original][-1]
            last = {"originalTransactionId": original, "status": 1,
                    "signedTransactionInfo": self.pki.sign(latest)}  # fmt: skip
            if self.renewal is not None:
                last["signedRenewalInfo"] = self.pki.sign(self.renewal)
            return 200, {"data": [{"subscriptionGroupIdentifier": "group-1", "lastTransactions": [last]}],
                         "environment": "Production", "bundleId": BUNDLE_ID}  # fmt: skip
        return 404, {"errorCode": 4040000, "errorMessage": "Not found"}

    def error(self, status: int) -> Any:
        return {"errorCode": status * 10000, "errorMessage": f"Apple says {status}"}
