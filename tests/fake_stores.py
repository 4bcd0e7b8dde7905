"""Fake Google Play and Stripe servers on loopback, for the store adapters' tests.

Each checks a request as the public API references define it (method, path, auth
header, body) and records it; `answer` scripts the reply: "ok", an HTTP status such as
400 or 500, or "hang" (never answers within the adapter's timeout).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ACCESS_TOKEN = "ya29.fake-access-token"
STRIPE_KEY = "sk_test_fake_key"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class FakeServer:
    answer: int | str = "ok"
    delay: float = 0.0
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(
            self._app, log_level="warning", access_log=False, lifespan="off", interface="asgi3"
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> FakeServer:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        while not self._server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        self._server.should_exit = True
        self._server.force_exit = True
        if self._task:
            await asyncio.wait_for(self._task, timeout=10)

    def calls(self, path_part: str) -> list[Request]:
        return [r for r in self.requests if path_part in r.path]

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = Request(
            scope["method"],
            scope["raw_path"].decode(),  # as sent: percent-encoded path segments stay encoded
            parse_qs(scope["query_string"].decode()),
            {k.decode().lower(): v.decode() for k, v in scope["headers"]},
            body,
        )
        status, payload = self.handle(request)
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.answer == "hang" and not request.path.endswith("/token"):
            await asyncio.sleep(30)
        if isinstance(self.answer, int) and not request.path.endswith("/token") and status == 200:
            status, payload = self.answer, self.error(self.answer)
        data = json.dumps(payload).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": data})

    def handle(self, request: Request) -> tuple[int, Any]:
        raise NotImplementedError

    def error(self, status: int) -> Any:
        raise NotImplementedError


def _jwt_claims(assertion: str) -> dict[str, Any]:
    payload = assertion.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


class FakeGooglePlay(FakeServer):
    """Google's refund and cancel calls (POST) and, for reading the truth, what a test put
    in `subscriptions` (by token), `products` (by token), `orders` (by order id): GET
    subscriptionsv2, products and orders:batchGet; acknowledgements are recorded."""

    SUBSCRIPTION = re.compile(
        r"^/androidpublisher/v3/applications/([^/]+)/purchases/subscriptionsv2/tokens/([^/]+):(revoke|cancel)$"
    )
    ORDER = re.compile(r"^/androidpublisher/v3/applications/([^/]+)/orders/([^/]+):refund$")
    READ_SUBSCRIPTION = re.compile(
        r"^/androidpublisher/v3/applications/([^/]+)/purchases/subscriptionsv2/tokens/([^/:]+)$"
    )
    READ_PRODUCT = re.compile(
        r"^/androidpublisher/v3/applications/([^/]+)/purchases/products/([^/]+)/tokens/([^/:]+)$"
    )
    ACKNOWLEDGE = re.compile(
        r"^/androidpublisher/v3/applications/([^/]+)/purchases/(subscriptions|products)/([^/]+)/tokens/([^/]+):acknowledge$"
    )
    BATCH_ORDERS = re.compile(r"^/androidpublisher/v3/applications/([^/]+)/orders:batchGet$")

    def __post_init__(self) -> None:
        super().__post_init__()
        self.package = "com.example.app"
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.products: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.acknowledged: list[str] = []
        # Google's OIDC signing key for Pub/Sub push tokens, served at /oauth2/v1/certs.
        self.oidc_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.oidc_kid = "fake-oidc-kid"

    @property
    def certs_url(self) -> str:
        return f"{self.url}/oauth2/v1/certs"

    def _oidc_certificate(self) -> str:
        from datetime import UTC, datetime, timedelta

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.x509.oid import NameOID

        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake google oidc")])
        certificate = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(self.oidc_key.public_key()).serial_number(1)
            .not_valid_before(datetime.now(UTC) - timedelta(days=1))
            .not_valid_after(datetime.now(UTC) + timedelta(days=1))
            .sign(self.oidc_key, hashes.SHA256())
        )  # fmt: skip
        return certificate.public_bytes(serialization.Encoding.PEM).decode()

    def push_token(self, audience: str, email: str, key: Any = None, **claims: Any) -> str:
        """An OIDC token as Pub/Sub signs it for an authenticated push subscription."""
        import time

        from google.auth import crypt
        from google.auth import jwt as google_jwt

        pem = (key or self.oidc_key).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        now = int(time.time())
        payload = {"aud": audience, "iss": "https://accounts.google.com", "email": email, "email_verified": True,
                   "sub": "1234", "azp": "1234", "iat": now, "exp": now + 3600} | claims  # fmt: skip
        signer = crypt.RSASigner.from_string(pem, self.oidc_kid)
        return google_jwt.encode(signer, payload).decode()

    def _read(self, request: Request) -> tuple[int, Any]:
        from urllib.parse import unquote

        if match := self.READ_SUBSCRIPTION.match(request.path):
            found = (
                self.subscriptions.get(unquote(match.group(2)))
                if unquote(match.group(1)) == self.package
                else None
            )
            return (200, found) if found else (404, self.error(404))
        if match := self.READ_PRODUCT.match(request.path):
            found = (
                self.products.get(unquote(match.group(3)))
                if unquote(match.group(1)) == self.package
                else None
            )
            return (200, found) if found else (404, self.error(404))
        if self.BATCH_ORDERS.match(request.path):
            ids = request.query.get("orderIds", [])
            return 200, {"orders": [self.orders[i] for i in ids if i in self.orders]}
        return 404, self.error(404)

    def service_account(self) -> dict[str, str]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return {
            "type": "service_account",
            "project_id": "fake-project",
            "private_key_id": "fake-key-id",
            "private_key": pem,
            "client_email": "refunds@fake-project.iam.gserviceaccount.com",
            "client_id": "1",
            "token_uri": f"{self.url}/token",
        }

    def handle(self, request: Request) -> tuple[int, Any]:
        if request.path == "/oauth2/v1/certs":
            return 200, {self.oidc_kid: self._oidc_certificate()}
        if request.path == "/token":
            form = request.form()
            claims = _jwt_claims(form["assertion"][0])
            ok = (
                request.method == "POST"
                and form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
                and claims["scope"] == "https://www.googleapis.com/auth/androidpublisher"
                and claims["aud"]
                == "https://oauth2.googleapis.com/token"  # Google's audience, wherever the token URI
                and claims["iss"] == "refunds@fake-project.iam.gserviceaccount.com"
            )
            return (
                (200, {"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"})
                if ok
                else (400, {"error": "invalid_grant"})
            )
        if request.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return 401, self.error(401)
        if request.method == "GET":
            return self._read(request)
        if request.method != "POST":
            return 401, self.error(401)
        if match := self.ACKNOWLEDGE.match(request.path):
            self.acknowledged.append(match.group(4))
            return 200, {}
        if match := self.SUBSCRIPTION.match(request.path):
            expected = (
                {"revocationContext": {"fullRefund": {}}}
                if match.group(3) == "revoke"
                else {"cancellationContext": {"cancellationType": "DEVELOPER_REQUESTED_STOP_PAYMENTS"}}
            )
            return (200, {}) if request.json() == expected else (400, self.error(400))
        if self.ORDER.match(request.path):
            ok = request.query == {"revoke": ["true"]} and not request.body
            return (200, {}) if ok else (400, self.error(400))
        return 404, self.error(404)

    def error(self, status: int) -> Any:
        return {
            "error": {"code": status, "message": f"Google says {status}", "status": "FAILED_PRECONDITION"}
        }


class FakeStripe(FakeServer):
    """Stripe's refunds and subscription updates (POST), and reading back what a test put
    in `subscriptions`, `invoices`, `charges` and `payment_intents` (GET), as the API
    version of the pinned library shapes them."""

    SUBSCRIPTION = re.compile(r"^/v1/subscriptions/([^/]+)$")
    PAYMENT_INTENT = re.compile(r"^/v1/payment_intents/([^/]+)$")

    def __post_init__(self) -> None:
        super().__post_init__()
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: list[dict[str, Any]] = []
        self.charges: list[dict[str, Any]] = []
        self.payment_intents: dict[str, dict[str, Any]] = {}

    def _read(self, request: Request) -> tuple[int, Any]:
        if match := self.SUBSCRIPTION.match(request.path):
            found = self.subscriptions.get(match.group(1))
            return (200, found) if found else (404, self.error(404))
        if match := self.PAYMENT_INTENT.match(request.path):
            found = self.payment_intents.get(match.group(1))
            return (200, found) if found else (404, self.error(404))
        query = {k: v[0] for k, v in request.query.items()}
        if request.path == "/v1/invoices":
            rows = [
                i for i in self.invoices
                if i["parent"]["subscription_details"]["subscription"] == query.get("subscription")
            ]  # fmt: skip
        elif request.path == "/v1/charges":
            rows = [
                c for c in self.charges
                if c.get("customer") == query.get("customer") or c.get("payment_intent") == query.get("payment_intent")
            ]  # fmt: skip
        else:
            return 404, self.error(404)
        return 200, {"object": "list", "data": rows, "has_more": False, "url": request.path}

    def handle(self, request: Request) -> tuple[int, Any]:
        if request.headers.get("authorization") != f"Bearer {STRIPE_KEY}":
            return 401, self.error(401)
        if request.method == "GET":
            return self._read(request)
        if request.method != "POST":
            return 401, self.error(401)
        if not request.headers.get("idempotency-key"):
            return 400, self.error(400)
        form = request.form()
        if request.path == "/v1/refunds":
            if "payment_intent" not in form:
                return 400, self.error(400)
            return 200, {
                "id": "re_fake",
                "object": "refund",
                "status": "succeeded",
                "payment_intent": form["payment_intent"][0],
            }
        if match := self.SUBSCRIPTION.match(request.path):
            if form.get("cancel_at_period_end") != ["true"]:
                return 400, self.error(400)
            return 200, {
                "id": match.group(1),
                "object": "subscription",
                "cancel_at_period_end": True,
                "status": "active",
            }
        return 404, self.error(404)

    def error(self, status: int) -> Any:
        return {"error": {"type": "invalid_request_error", "message": f"Stripe says {status}"}}
