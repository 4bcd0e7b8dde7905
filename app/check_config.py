"""`python -m app check-config`: is this installation ready to serve?

Validates the settings, reaches the database and compares its migration with the code's,
and checks the store credentials; prints one line per check and what is missing, and
exits 1 when anything would stop the service from working. Never prints a secret.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from app.settings import Settings

Level = Literal["ok", "missing", "FAIL"]


@dataclass(frozen=True, slots=True)
class Finding:
    level: Level
    topic: str
    message: str

    def line(self) -> str:
        return f"{self.level:<8} {self.topic}: {self.message}"


def load_settings() -> tuple[Settings | None, list[Finding]]:
    try:
        settings = Settings(_env_file=os.environ.get("ENV_FILE", ".env"))  # type: ignore[call-arg]
    except ValidationError as exc:
        return None, [
            Finding("FAIL", "settings", f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}")
            for e in exc.errors()
        ]
    return settings, [Finding("ok", "settings", f"valid (APP_ENV={settings.app_env})")]


def check_settings(settings: Settings) -> list[Finding]:
    """The checks that need no network: pure rules over the settings."""
    findings: list[Finding] = []
    if not settings.database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        findings.append(
            Finding("FAIL", "DATABASE_URL", "must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        )
    if settings.is_production and "*" in settings.cors_origin_list:
        findings.append(Finding("FAIL", "CORS_ORIGINS", "'*' lets any web page call the API in production"))
    if settings.rates_csv and not Path(settings.rates_csv).is_file():
        findings.append(Finding("FAIL", "RATES_CSV", f"no such file: {settings.rates_csv}"))
    findings += check_stores(settings)
    return findings


def check_stores(settings: Settings) -> list[Finding]:
    from app.stores.google_play import load_service_account

    findings: list[Finding] = []
    if settings.google_play_service_account:
        try:
            account = load_service_account(settings.google_play_service_account)
        except (OSError, ValueError) as exc:
            findings.append(
                Finding(
                    "FAIL",
                    "GOOGLE_PLAY_SERVICE_ACCOUNT",
                    f"not a JSON key or key file ({type(exc).__name__})",
                )
            )
        else:
            absent = sorted({"client_email", "private_key"} - set(account))
            if absent:
                findings.append(
                    Finding("FAIL", "GOOGLE_PLAY_SERVICE_ACCOUNT", f"the key lacks {', '.join(absent)}")
                )
            else:
                findings.append(
                    Finding("ok", "GOOGLE_PLAY_SERVICE_ACCOUNT", f"key of {account['client_email']}")
                )
    else:
        findings.append(
            Finding(
                "missing",
                "GOOGLE_PLAY_SERVICE_ACCOUNT",
                "Play refunds and cancellations answer STORE_NOT_CONFIGURED",
            )
        )
    if settings.stripe_api_key:
        if settings.stripe_api_key.startswith(("sk_", "rk_")):
            findings.append(Finding("ok", "STRIPE_API_KEY", "a secret or restricted key"))
        else:
            findings.append(
                Finding("FAIL", "STRIPE_API_KEY", "must be a secret (sk_) or restricted (rk_) key")
            )
    else:
        findings.append(
            Finding(
                "missing",
                "STRIPE_API_KEY",
                "Web Billing refunds and cancellations answer STORE_NOT_CONFIGURED",
            )
        )
    return findings + check_store_truth(settings)


def check_store_truth(settings: Settings) -> list[Finding]:
    """What verifying store data needs: Apple's roots, and a key to seal credentials."""
    from app.stores.app_store.config import load_root_certificates

    findings: list[Finding] = []
    if settings.apple_root_certificates:
        try:
            roots = load_root_certificates(settings.apple_root_certificates)
        except (OSError, ValueError) as exc:
            findings.append(
                Finding(
                    "FAIL",
                    "APPLE_ROOT_CERTIFICATES",
                    f"not DER or PEM certificate files ({type(exc).__name__})",
                )
            )
        else:
            findings.append(Finding("ok", "APPLE_ROOT_CERTIFICATES", f"{len(roots)} certificate(s)"))
    else:
        findings.append(
            Finding(
                "missing",
                "APPLE_ROOT_CERTIFICATES",
                "App Store apps verify only with their own rootCertificates (see Connecting the App Store)",
            )
        )
    if settings.secret_key:
        level: Level = "ok" if len(settings.secret_key) >= 32 else "FAIL"
        message = "set" if level == "ok" else "too short: use at least 32 random characters"
        findings.append(Finding(level, "SECRET_KEY", message))
    else:
        findings.append(
            Finding(
                "missing", "SECRET_KEY", "store apps cannot hold API credentials (App Store Server API keys)"
            )
        )
    return findings


async def check_database(settings: Settings) -> list[Finding]:
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from app.db.engine import Database, create_engine
    from app.db.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head()
    db = Database(create_engine(settings.database_url))
    try:
        async with db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            try:
                current = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
            except Exception:
                current = None
    except Exception as exc:
        return [Finding("FAIL", "database", f"unreachable ({type(exc).__name__}); check DATABASE_URL")]
    finally:
        await db.dispose()
    findings = [Finding("ok", "database", f"reachable ({db.dialect})")]
    if current != head:
        findings.append(
            Finding(
                "FAIL",
                "migrations",
                f"database at {current or 'no revision'}, code at {head}: run `python -m app migrate`",
            )
        )
    else:
        findings.append(Finding("ok", "migrations", f"at head {head}"))
    return findings


async def run_check() -> int:
    settings, findings = load_settings()
    if settings is not None:
        findings += check_settings(settings)
        if not any(f.level == "FAIL" and f.topic == "DATABASE_URL" for f in findings):
            findings += await check_database(settings)
    for finding in findings:
        print(finding.line())
    failed = [f for f in findings if f.level == "FAIL"]
    print(f"{len(failed)} problem(s)" if failed else "ready", file=sys.stderr)
    return 1 if failed else 0
