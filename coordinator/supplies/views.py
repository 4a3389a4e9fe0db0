"""Supplies pages: the warehouse manager's stock and the requester's requests."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from coordinator.extensions import db
from coordinator.supplies import requests, warehouses


def warehouse_home():
    """The warehouse manager's home: their warehouses and stock."""
    return render_template(
        "supplies/warehouse.html", warehouses=warehouses.list_warehouses(session=db.session, user=current_user)
    )


def requester_home():
    """The requester's home: their organization's supply requests."""
    return render_template(
        "supplies/requester.html", requests=requests.list_requests(session=db.session, user=current_user)
    )
