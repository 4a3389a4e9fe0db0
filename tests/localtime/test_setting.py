"""BIRLIK_TIMEZONE is read like every setting, and a zone nobody knows stops
the app at start-up instead of showing wrong times."""

import pytest

from config.settings import from_env
from coordinator import create_app


def test_the_zone_comes_from_the_environment():
    assert from_env({"BIRLIK_TIMEZONE": "Asia/Aqtobe"})["TIMEZONE"] == "Asia/Aqtobe"


def test_an_unknown_zone_refuses_to_start(config):
    with pytest.raises(RuntimeError, match="BIRLIK_TIMEZONE='Asia/Nowhere'"):
        create_app({**config, "TIMEZONE": "Asia/Nowhere"})
