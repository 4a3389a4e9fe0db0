"""Hotline reports and the cases they open."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the hotline operator's home page."""
    from coordinator import pages
    from coordinator.hotline import views

    pages.register_home(app, "hotline_operator", views.operator_home)
