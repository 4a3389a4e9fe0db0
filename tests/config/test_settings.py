"""Settings come from BIRLIK_ variables, typed like their defaults."""

import pytest

from config.settings import ProductionConfig, from_env


def test_env_values_are_typed_like_defaults():
    env = from_env(
        {
            "BIRLIK_ENV": "production",
            "BIRLIK_LOGIN_LOCK_AFTER": "9",
            "BIRLIK_BBOX": "40,45,56,88",
            "BIRLIK_SESSION_COOKIE_SECURE": "false",
            "BIRLIK_DATABASE_URL": "postgresql://x/y",
        }
    )
    assert env["_CLASS"] is ProductionConfig
    assert env["LOGIN_LOCK_AFTER"] == 9
    assert env["BBOX"] == (40.0, 45.0, 56.0, 88.0)
    assert env["SESSION_COOKIE_SECURE"] is False
    assert env["DATABASE_URL"] == "postgresql://x/y"


def test_bad_number_names_the_variable():
    with pytest.raises(ValueError, match="BIRLIK_LOGIN_LOCK_AFTER"):
        from_env({"BIRLIK_LOGIN_LOCK_AFTER": "many"})


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    from coordinator import create_app

    monkeypatch.setenv("BIRLIK_ENV", "production")
    monkeypatch.delenv("BIRLIK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="BIRLIK_SECRET_KEY"):
        create_app()
