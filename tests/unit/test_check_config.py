"""check-config's rules over the settings: what is wrong fails, what is absent is named."""

import json
from pathlib import Path

from app.check_config import check_settings
from app.settings import Settings
from tests.store_pki import TestPKI


def levels(settings: Settings) -> dict[str, str]:
    return {finding.topic: finding.level for finding in check_settings(settings)}


def test_defaults_name_the_missing_store_credentials_without_failing() -> None:
    found = levels(Settings())
    assert found == {
        "GOOGLE_PLAY_SERVICE_ACCOUNT": "missing",
        "STRIPE_API_KEY": "missing",
        "APPLE_ROOT_CERTIFICATES": "missing",
        "SECRET_KEY": "missing",
    }


def test_wrong_values_fail(tmp_path: Path) -> None:
    found = levels(
        Settings(
            database_url="mysql://db/x",
            app_env="production",
            cors_origins="*",
            rates_csv=str(tmp_path / "absent.csv"),
            stripe_api_key="pk_live_publishable",
            google_play_service_account="{not json",
            apple_root_certificates=str(tmp_path / "absent.cer"),
            secret_key="short",
        )
    )
    assert found == {
        "APPLE_ROOT_CERTIFICATES": "FAIL",
        "SECRET_KEY": "FAIL",
        "DATABASE_URL": "FAIL",
        "CORS_ORIGINS": "FAIL",
        "RATES_CSV": "FAIL",
        "STRIPE_API_KEY": "FAIL",
        "GOOGLE_PLAY_SERVICE_ACCOUNT": "FAIL",
    }


def test_good_store_credentials_pass_and_no_secret_is_printed(tmp_path: Path) -> None:
    key_file = tmp_path / "sa.json"
    key_file.write_text(
        json.dumps({"client_email": "play@proj.iam.example", "private_key": "PRIVATE-KEY-TEXT"})
    )
    root = tmp_path / "root.pem"
    root.write_bytes(TestPKI().root_pem())
    findings = check_settings(
        Settings(
            google_play_service_account=str(key_file),
            stripe_api_key="rk_live_SECRET123",
            apple_root_certificates=str(root),
            secret_key="SECRET-KEY-0123456789abcdefghijklmnop",
        )
    )
    assert {f.topic: f.level for f in findings} == {
        "GOOGLE_PLAY_SERVICE_ACCOUNT": "ok",
        "STRIPE_API_KEY": "ok",
        "APPLE_ROOT_CERTIFICATES": "ok",
        "SECRET_KEY": "ok",
    }
    printed = "\n".join(f.line() for f in findings)
    assert "PRIVATE-KEY-TEXT" not in printed and "SECRET123" not in printed and "SECRET-KEY" not in printed


def test_service_account_without_a_private_key_fails() -> None:
    found = levels(Settings(google_play_service_account=json.dumps({"client_email": "a@b"})))
    assert found["GOOGLE_PLAY_SERVICE_ACCOUNT"] == "FAIL"
