"""Settings: environment variables, embedded defaults, refused placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from accord.server.settings import Settings


def test_embedded_defaults_live_in_one_data_directory(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'accord.db'}"
    assert settings.blob_dir == tmp_path / "blobs"
    assert settings.hash_url_allowed_hosts == []


def test_environment_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ACCORD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ACCORD_MAX_PIXELS", "1000")
    monkeypatch.setenv("ACCORD_HASH_URL_ALLOWED_HOSTS", '["media.example.org"]')
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.media_limits.max_pixels == 1000
    assert settings.hash_url_allowed_hosts == ["media.example.org"]


def test_production_refuses_the_placeholder_secrets() -> None:
    secret, master = "a-real-secret-value", "a-real-master-key-value"
    with pytest.raises(ValidationError, match="ACCORD_SECRET_KEY"):
        Settings(env="production", master_key=master)
    with pytest.raises(ValidationError, match="ACCORD_MASTER_KEY"):
        Settings(env="production", secret_key=secret)
    assert Settings(env="production", secret_key=secret, master_key=master).env == "production"


def test_statements_name_only_eea_territories() -> None:
    assert Settings(statement_territories=["be", " NL"]).statement_territories == ["BE", "NL"]
    with pytest.raises(ValidationError, match="not EU/EEA country codes: GB"):
        Settings(statement_territories=["BE", "GB"])
