"""Every knob of the service, read from the environment (pydantic-settings) and, for
the server and the CLI, from a `.env` file in the working directory (`ENV_FILE` names
another); the environment wins over the file."""

import os
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_CORS_ORIGINS = ("http://localhost:5173", "http://127.0.0.1:5173")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    database_url: str = "sqlite+aiosqlite:///./var/customer-profile.db"
    # Production unless told otherwise: `make run` sets development (DESIGN 4.11).
    app_env: Literal["development", "production"] = "production"
    bootstrap_admin_key: str | None = None
    log_level: str = "INFO"
    # `on`: the dispatcher and scheduler run inside the server; `off`: a separate worker runs.
    webhook_dispatcher: Literal["on", "off"] = "on"
    webhook_retry_delays: str = "300,600,1200,2400,4800"
    webhook_timeout_seconds: float = 60.0
    scheduler_interval_seconds: float = 60.0
    dispatcher_poll_seconds: float = 0.5
    # How long past the timeout a claimed delivery stays leased before another worker
    # may take it again (a worker that died mid-delivery).
    webhook_lease_margin_seconds: float = 30.0
    # Lifts the public-address rule for webhook URLs (tests, single-tenant installs).
    webhook_allow_private_urls: bool = False
    rates_csv: str | None = Field(default=None, description="Replacement USD rate table (CSV)")

    # Stores that refund and cancel (issue: refunds reach the store). A store with no
    # credentials refuses those actions with STORE_NOT_CONFIGURED.
    google_play_service_account: str | None = Field(
        default=None, description="Service account key: the JSON itself, or a path to the file"
    )
    google_play_api_base: str = "https://androidpublisher.googleapis.com"
    stripe_api_key: str | None = None
    stripe_api_base: str = "https://api.stripe.com"
    store_timeout_seconds: float = 20.0
    # Where Google publishes the certificates of its OIDC tokens (Pub/Sub push).
    google_oidc_certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"

    # Store truth (DESIGN 4.10). SECRET_KEY encrypts store credentials at rest; without
    # it, store apps can hold no credentials.
    secret_key: str | None = None
    # Comma-separated paths of Apple root certificates (DER or PEM), from
    # https://www.apple.com/certificateauthority/ ; a store app may carry its own.
    apple_root_certificates: str | None = None
    apple_api_base: str = "https://api.storekit.apple.com"
    apple_sandbox_api_base: str = "https://api.storekit-sandbox.itunes.apple.com"
    # The inbox worker runs wherever the webhook dispatcher runs (WEBHOOK_DISPATCHER).
    store_notification_poll_seconds: float = 0.5
    store_notification_retry_delays: str = "10,60,300,1800,7200"

    # Limits applied to every query in production (and whenever enforce_limits is set).
    max_query_depth: int = 12
    max_query_aliases: int = 30
    max_query_tokens: int = 2000
    max_query_cost: int = 500_000
    enforce_limits: bool | None = None

    # Limits that hold in every environment (DESIGN 4.11): they protect the server itself.
    max_body_bytes: int = 1_048_576
    # Store notification routes (under /stores/) take small signed payloads only.
    max_store_body_bytes: int = 262_144
    # Checked before validation, whose overlapping-fields rule is quadratic in repeats.
    max_query_fields: int = 1000
    max_repeated_fields: int = 50
    # List items one response may return (a full page of customers with every nested
    # list is about 15,000).
    max_response_nodes: int = 50_000
    # Queries answered from a plan made once per document (app/graphql/compiled/);
    # `false` sends every request through graphql-core's executor.
    compiled_reads: bool = True

    # Rate limits, in the `limits` notation; storage `memory://` or `redis://host:port/db`.
    rate_limit_storage: str = "memory://"
    rate_limit_per_key: str = "600/minute"
    rate_limit_per_address: str = "120/minute"
    rate_limit_failed_auth: str = "10/minute"
    # When set, /metrics requires `Authorization: Bearer <METRICS_TOKEN>`.
    metrics_token: str | None = None

    # Browser origins allowed to call the API (comma-separated). Unset: none in
    # production; in development the support console's Vite dev server.
    cors_origins: str | None = None
    # OpenTelemetry tracing: off unless an OTLP/HTTP collector is named (e.g.
    # http://127.0.0.1:4318); the service's name on its spans.
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "customer-profile-api"
    # `python -m app worker` serves its own /metrics (webhook delivery latency) here when set.
    worker_metrics_port: int | None = None
    worker_metrics_host: str = "127.0.0.1"

    @field_validator("webhook_retry_delays", "store_notification_retry_delays")
    @classmethod
    def _delays_are_numbers(cls, value: str) -> str:
        [float(part) for part in value.split(",") if part.strip()]
        return value

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def limits_enabled(self) -> bool:
        return self.is_production if self.enforce_limits is None else self.enforce_limits

    @property
    def cors_origin_list(self) -> list[str]:
        if self.cors_origins is None:
            return [] if self.is_production else list(DEVELOPMENT_CORS_ORIGINS)
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def notification_retry_delays(self) -> list[float]:
        return [float(part) for part in self.store_notification_retry_delays.split(",") if part.strip()]

    @property
    def retry_delays(self) -> list[float]:
        return [float(part) for part in self.webhook_retry_delays.split(",") if part.strip()]


@lru_cache
def get_settings() -> Settings:
    # Only the server and the CLI read `.env`: tests build Settings(...) themselves.
    return Settings(_env_file=os.environ.get("ENV_FILE", ".env"))  # type: ignore[call-arg]
