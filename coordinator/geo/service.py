"""Regions in the database and geocoding (offline first, geopy if configured)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.common.errors import Invalid
from coordinator.geo import gazetteer
from coordinator.geo.distance import in_bbox
from coordinator.geo.models import Region
from coordinator.i18n import N_, text


def ensure_regions(*, session: Session) -> dict[str, Region]:
    """Create the 20 regions if missing; return them by code."""
    existing = {r.code: r for r in session.scalars(select(Region))}
    for info in gazetteer.regions():
        if info.code not in existing:
            centre = gazetteer.region_centre(info.code)
            region = Region(
                code=info.code,
                kind=info.kind,
                name_en=info.name_en,
                name_ru=info.name_ru,
                name_kk=info.name_kk,
                lat=centre.lat,
                lon=centre.lon,
            )
            session.add(region)
            existing[info.code] = region
    session.flush()
    return existing


def list_regions(*, session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.name_en)))


def region_by_code(*, session: Session, code: str) -> Region | None:
    return session.scalar(select(Region).where(Region.code == code))


def locate(*, session: Session, name: str, field: str) -> tuple[gazetteer.Settlement, Region]:
    """Geocode a settlement name to a point and its region; raises Invalid
    naming `field`, the caller's own name for the settlement in its request."""
    found = gazetteer.geocode(name)
    if found is None and current_app.config.get("GEOCODER"):
        found = _online(name)
    if found is None:
        raise Invalid(
            text(N_("Unknown settlement '%(name)s'. Check the spelling or give coordinates."), name=name), field=field
        )
    region = region_by_code(session=session, code=found.region_code)
    if region is None:
        raise Invalid(text(N_("Regions are not loaded; run the migrations and seed.")), field=field)
    return found, region


def check_point(lat: float, lon: float, *, field: str) -> None:
    """Refuse coordinates outside the configured bounding box, naming the
    request's own field (`field`), as `locate` does."""
    if not in_bbox(lat, lon, current_app.config["BBOX"]):
        raise Invalid(text(N_("The point (%(lat)s, %(lon)s) lies outside Kazakhstan."), lat=lat, lon=lon), field=field)


def nearest_region(*, session: Session, lat: float, lon: float) -> Region:
    """The region whose nearest settlement is closest to the point."""
    best = min(gazetteer.settlements(), key=lambda s: (s.lat - lat) ** 2 + (s.lon - lon) ** 2)
    return region_by_code(session=session, code=best.region_code)


def _online(name: str) -> gazetteer.Settlement | None:
    from geopy.exc import GeopyError
    from geopy.geocoders import get_geocoder_for_service

    cfg = current_app.config
    geocoder = get_geocoder_for_service(cfg["GEOCODER"])(user_agent=cfg["GEOCODER_USER_AGENT"], timeout=5)
    try:
        loc = geocoder.geocode(f"{name}, Kazakhstan")
    except GeopyError:
        return None
    if loc is None or not in_bbox(loc.latitude, loc.longitude, cfg["BBOX"]):
        return None
    nearest = min(gazetteer.settlements(), key=lambda s: (s.lat - loc.latitude) ** 2 + (s.lon - loc.longitude) ** 2)
    return gazetteer.Settlement(0, loc.address.split(",")[0], nearest.region_code, loc.latitude, loc.longitude, 0)
