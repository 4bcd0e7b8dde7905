"""The shipped deployment files say what the README promises: every setting in
.env.example, and a compose file with a named database volume, /readyz healthchecks,
a separate worker and restarts; an image that runs as a non-root user."""

from pathlib import Path

from app.settings import Settings


def test_env_example_lists_every_setting(repo_root: Path) -> None:
    example = (repo_root / ".env.example").read_text()
    names = {line.lstrip("# ").split("=", 1)[0] for line in example.splitlines() if "=" in line}
    assert {name.upper() for name in Settings.model_fields} <= names


def test_env_example_parses_as_valid_settings(repo_root: Path) -> None:
    settings = Settings(_env_file=repo_root / ".env.example")  # type: ignore[call-arg]
    assert settings == Settings()


def test_compose_and_image(repo_root: Path) -> None:
    compose = (repo_root / "docker" / "compose.yaml").read_text()
    dockerfile = (repo_root / "docker" / "Dockerfile").read_text()
    assert "pgdata:/var/lib/postgresql/data" in compose and "\nvolumes:\n  pgdata:" in compose
    assert compose.count("restart: unless-stopped") == 3  # db, api, worker; migrate runs once
    assert '"python", "-m", "app", "worker"' in compose and 'WEBHOOK_DISPATCHER: "off"' in compose
    assert "/readyz" in compose and "/readyz" in dockerfile
    assert "\nUSER app\n" in dockerfile and "useradd" in dockerfile
