"""Every setting is documented in the README's configuration table."""

from pathlib import Path

from app.settings import Settings


def test_readme_table_lists_every_setting(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in table]
    assert not missing, f"README's Configuration table lacks {missing}"
