"""Hotline pages: the operator's list of cases."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from coordinator.extensions import db
from coordinator.hotline import cases


def operator_home():
    """The hotline operator's home: the newest cases."""
    return render_template("hotline/cases.html", cases=cases.latest(session=db.session, user=current_user))
