"""Flask-Babel set-up. Catalogues live in coordinator/translations and are
compiled by `make` (pybabel compile)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask

from coordinator.extensions import babel

TRANSLATIONS = Path(__file__).parent / "translations"


def init_app(app: Flask, locale_selector: Callable[[], str]) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=locale_selector)

    @app.context_processor
    def _languages():
        from flask_babel import get_locale

        return {"languages": app.config["LANGUAGES"], "current_locale": str(get_locale())}
