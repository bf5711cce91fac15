"""A bad setting is told in one line naming its environment variable, not pydantic's dump."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsError

from accord.server.app import app_from_environment
from accord.server.settings import Settings, settings_problems


def _problems(monkeypatch: pytest.MonkeyPatch, **variables: str) -> list[str]:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    return settings_problems(refused.value)


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("ACCORD_LOG_FORMAT", "console", "must be auto, json or text (got 'console')"),
        ("ACCORD_PORT", "abc", "must be a whole number (got 'abc')"),
        ("ACCORD_AUTO_MIGRATE", "maybe", "must be true or false (got 'maybe')"),
        ("ACCORD_APPEAL_WINDOW_DAYS", "30", "must be at least 183 (got '30')"),
        ("ACCORD_STATEMENT_TERRITORIES", '["US"]', "not EU/EEA country codes: US"),
        (
            "ACCORD_BLOB_URL",
            "/var/lib/blobs",
            "not an s3:// URL: expected s3://bucket/prefix (got '/var/lib/blobs')",
        ),
        (
            "ACCORD_BLOB_URL",
            "s3:///blobs",
            "no bucket: expected s3://bucket/prefix (got 's3:///blobs')",
        ),
        (
            "ACCORD_BLOB_URL",
            "s3://My_Bucket",
            "'My_Bucket' is no bucket name: 3-63 lowercase letters, digits, dots or hyphens "
            "(got 's3://My_Bucket')",
        ),
    ],
)
def test_one_line_per_bad_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, words: str
) -> None:
    assert _problems(monkeypatch, **{variable: value}) == [f"{variable}: {words}"]


def test_secrets_are_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    problems = _problems(monkeypatch, ACCORD_ENV="production", ACCORD_SECRET_KEY="s3cr3t-value")
    assert problems == ["ACCORD_MASTER_KEY must be set to a real secret when ACCORD_ENV=production"]
    assert not any("s3cr3t" in line for line in problems)


def test_the_server_exits_with_the_lines_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCORD_LOG_FORMAT", "console")
    monkeypatch.setenv("ACCORD_PORT", "abc")
    with pytest.raises(SystemExit) as exited:
        app_from_environment()
    message = str(exited.value.code)
    assert "ACCORD_LOG_FORMAT: must be auto, json or text (got 'console')" in message
    assert "ACCORD_PORT: must be a whole number (got 'abc')" in message
    assert "pydantic" not in message
    monkeypatch.setenv("ACCORD_LOG_FORMAT", "json")
    monkeypatch.setenv("ACCORD_PORT", "8000")
    monkeypatch.setenv("ACCORD_HASH_URL_ALLOWED_HOSTS", "media.example.org")
    with pytest.raises(SystemExit, match="ACCORD_HASH_URL_ALLOWED_HOSTS: must be written in JSON"):
        app_from_environment()


def test_a_list_that_is_not_json_is_named_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_HASH_URL_ALLOWED_HOSTS", "media.example.org")
    with pytest.raises(SettingsError) as refused:
        Settings()
    assert settings_problems(refused.value) == [
        'ACCORD_HASH_URL_ALLOWED_HOSTS: must be written in JSON, e.g. ["a", "b"]'
    ]


def test_a_password_inside_an_address_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_TDB_API_URL", "https://user:s3cret@tdb.example/")
    with pytest.raises(ValidationError) as refused:
        Settings()
    (line,) = settings_problems(refused.value)
    assert line.startswith("ACCORD_TDB_API_URL: ")
    assert "s3cret" not in line
    assert "'https://…@tdb.example/'" in line
