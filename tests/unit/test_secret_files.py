"""Secret settings read from files (NAME_FILE), as Docker and Kubernetes mount secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tweetnow.shared.settings import SECRET_SETTINGS, Settings

FIELDS = {
    "SECRET_KEY": "secret_key",
    "X_CONSUMER_KEY": "x_consumer_key",
    "X_CONSUMER_SECRET": "x_consumer_secret",
    "X_CLIENT_ID": "x_client_id",
    "X_CLIENT_SECRET": "x_client_secret",
    "REDIS_URL": "redis_url",
    "DATABASE_URL": "database_url",
    "SMTP_URL": "smtp_url",
    "GIPHY_API_KEY": "giphy_api_key",
}


def test_every_secret_setting_is_listed():
    assert set(SECRET_SETTINGS) == {*FIELDS, "ENCRYPTION_KEYS"}


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_each_secret_is_read_from_its_file_without_the_trailing_newline(tmp_path: Path, name):
    secret = tmp_path / name.lower()
    secret.write_text(f"value-of-{name}\n")
    settings = Settings.from_env({f"{name}_FILE": str(secret)})
    assert getattr(settings, FIELDS[name]) == f"value-of-{name}"


def test_an_empty_variable_beside_the_file_is_not_a_conflict(tmp_path: Path):
    # compose passes unset secrets as empty strings
    secret = tmp_path / "secret_key"
    secret.write_text("from-the-file")
    assert Settings.from_env({"SECRET_KEY": "", "SECRET_KEY_FILE": str(secret)}).secret_key == (
        "from-the-file"
    )


def test_encryption_keys_from_a_file_one_a_line_or_comma_separated(tmp_path: Path):
    keys = tmp_path / "keys"
    keys.write_text("first\nsecond, third\n")
    settings = Settings.from_env({"ENCRYPTION_KEYS_FILE": str(keys)})
    assert settings.encryption_keys == ("first", "second", "third")


def test_setting_both_the_variable_and_its_file_is_an_error(tmp_path: Path):
    secret = tmp_path / "secret_key"
    secret.write_text("from-the-file")
    with pytest.raises(ValueError, match="SECRET_KEY and SECRET_KEY_FILE are both set"):
        Settings.from_env({"SECRET_KEY": "from-env", "SECRET_KEY_FILE": str(secret)})


def test_a_missing_file_names_the_variable(tmp_path: Path):
    missing = tmp_path / "nowhere"
    with pytest.raises(ValueError, match=rf"^REDIS_URL_FILE={missing} cannot be read"):
        Settings.from_env({"REDIS_URL_FILE": str(missing)})


def test_an_empty_file_is_an_error_not_the_development_default(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(ValueError, match=r"SECRET_KEY_FILE=.* is empty"):
        Settings.from_env({"SECRET_KEY_FILE": str(empty)})


def test_settings_that_are_not_secret_take_no_file(tmp_path: Path):
    url = tmp_path / "url"
    url.write_text("https://tweetnow.example.org")
    settings = Settings.from_env({"PUBLIC_BASE_URL_FILE": str(url)})
    assert settings.public_base_url == "http://127.0.0.1:8000"
