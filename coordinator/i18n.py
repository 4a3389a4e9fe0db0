"""Flask-Babel set-up, and the one way Birlik composes text a person reads.

Catalogues live in coordinator/translations and are compiled by `make`
(pybabel compile); their Russian and Kazakh come from scripts/catalogue/*.py.

**Store data, not sentences.** Whatever the server composes (alert texts,
queue reasons, task titles, timeline steps) is kept as a message id with its
parameters, marked for extraction with `N_`, and rendered in the reader's
language when it is read: `text(msgid, **params)` on the server, and
`Birlik.t(msgid, params)` in the browser, which reads the translations that
`client_texts` registered and base.html embeds in every page. A parameter may
itself be a message (`message(msgid, **params)`), e.g. a status word, or a
time (`at(iso_utc(...))`), shown in the operation's zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext

from coordinator.extensions import babel

TRANSLATIONS = Path(__file__).parent / "translations"
_CLIENT = "birlik.client_texts"
_TIME = "birlik.show_time"  # set by coordinator.localtime, which sits above this module


def N_(msgid: str) -> str:  # noqa: N802 - the name babel's extractor knows
    """Mark a message id for extraction without translating it now."""
    return msgid


def message(msgid: str, **params: Any) -> dict[str, Any]:
    """A message as data: store it (JSON) or send it, and render it later."""
    return {"msgid": msgid, "params": params}


def at(value: str) -> dict[str, str]:
    """A time parameter (ISO 8601 UTC, `iso_utc`): shown in the operation's
    zone when rendered, kept with its offset in the data and the API."""
    return {"time": value}


def _param(value: Any) -> Any:
    if isinstance(value, Mapping) and "msgid" in value:
        return text(value["msgid"], **(value.get("params") or {}))
    if isinstance(value, Mapping) and "time" in value:
        show = current_app.extensions.get(_TIME)
        return show(value["time"]) if show else value["time"]
    return value


def text(msgid: str | None, **params: Any) -> str:
    """The message in the current request's language, with its parameters
    filled in (each parameter that is itself a message is rendered first)."""
    if not msgid:
        return ""
    translated = gettext(msgid)
    if not params:
        return translated.replace("%%", "%")
    try:
        return translated % {k: _param(v) for k, v in params.items()}
    except (KeyError, ValueError, TypeError):
        # A translation that lost a placeholder must not take the page down.
        return msgid % {k: _param(v) for k, v in params.items()}


def render(value: Mapping[str, Any] | str | None) -> str:
    """Render a stored message (see `message`) or pass a plain string through."""
    if isinstance(value, Mapping):
        return text(value.get("msgid"), **(value.get("params") or {}))
    return value or ""


def client_texts(app: Flask, msgids: Iterable[str]) -> None:
    """Declare message ids the browser renders (events, charts, popups)."""
    app.extensions.setdefault(_CLIENT, set()).update(msgids)


def _client_table() -> dict[str, str]:
    return {msgid: gettext(msgid) for msgid in sorted(current_app.extensions.get(_CLIENT, ()))}


def init_app(app: Flask, locale_selector: Callable[[], str]) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=locale_selector)
    app.extensions.setdefault(_CLIENT, set())
    app.jinja_env.globals.update(text=text, render_text=render, client_text_table=_client_table)

    @app.context_processor
    def _languages():
        from flask_babel import get_locale

        return {"languages": app.config["LANGUAGES"], "current_locale": str(get_locale())}
