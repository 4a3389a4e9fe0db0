"""The facility list as plain rows: the hot read of every HQ screen and
device. Two column queries (a page of facilities, then their beds) build
dicts in the shape `FacilityOut` declares, without loading ORM objects or
running marshmallow, which cost most of the time of this list."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.api import pagination
from coordinator.auth.models import User
from coordinator.events import versions
from coordinator.housing.models import Facility, FacilityBeds

COLUMNS = (
    Facility.id,
    Facility.name,
    Facility.kind,
    Facility.status,
    Facility.region_id,
    Facility.settlement,
    Facility.lat,
    Facility.lon,
    Facility.address,
    Facility.contact_phone,
    Facility.has_medical_staff,
    Facility.accessible,
    Facility.meals,
)
BED_COLUMNS = (
    FacilityBeds.facility_id,
    FacilityBeds.category,
    FacilityBeds.total,
    FacilityBeds.out_of_service,
    FacilityBeds.held,
    FacilityBeds.occupied,
)


def list_rows(
    *, session: Session, user: User, region_id: int | None = None, limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    """Facilities within the user's scope (optionally of one region), by name
    then id, `limit` rows from `offset`, each with its beds by category."""
    query = authz.scoped(
        select(*COLUMNS).order_by(Facility.name, Facility.id), user, region=Facility.region_id, facility=Facility.id
    )
    if region_id is not None:
        query = query.where(Facility.region_id == region_id)
    facilities = session.execute(query.limit(limit).offset(offset)).all()
    beds: dict[int, list[dict[str, Any]]] = {f.id: [] for f in facilities}
    closed = {f.id for f in facilities if f.status == "closed"}
    if beds:
        bed_query = (
            select(*BED_COLUMNS)
            .where(FacilityBeds.facility_id.in_(list(beds)))
            .order_by(FacilityBeds.facility_id, FacilityBeds.category)
        )
        for facility_id, category, total, out_of_service, held, occupied in session.execute(bed_query):
            # A closed facility has no free bed (as FacilityBeds.free says).
            free = 0 if facility_id in closed else total - out_of_service - held - occupied
            beds[facility_id].append(
                {
                    "category": category,
                    "total": total,
                    "out_of_service": out_of_service,
                    "held": held,
                    "occupied": occupied,
                    "free": free,
                }
            )
    return [_row(f, beds[f.id]) for f in facilities]


def _row(f: Any, beds: list[dict[str, Any]]) -> dict[str, Any]:
    free = sum(b["free"] for b in beds)
    return {
        "id": f.id,
        "name": f.name,
        "kind": f.kind,
        "status": f.status,
        "is_full": f.status == "open" and free == 0,
        "region_id": f.region_id,
        "settlement": f.settlement,
        "lat": f.lat,
        "lon": f.lon,
        "address": f.address,
        "contact_phone": f.contact_phone,
        "has_medical_staff": f.has_medical_staff,
        "accessible": f.accessible,
        "meals": f.meals,
        "free_beds": free,
        "total_beds": sum(b["total"] for b in beds),
        "beds": beds,
    }


def dumps(rows: list[dict[str, Any]]) -> bytes:
    """The rows as compact JSON (they hold no time, so no encoder hook is needed)."""
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()


def cached_page(*, session: Session, user: User, args: dict[str, Any]) -> tuple[bytes, int | None]:
    """One page of the list as JSON, and the next page's number (None: the
    last), computed once per data version for each scope and query: HQ users
    of one scope share it; other roles see their own records, so each has
    their own."""
    scope = ("hq", authz.region_scope(user)) if user.role in authz.HQ_ROLES else ("user", user.id)

    def compute() -> bytes:
        found = list_rows(session=session, user=user, region_id=args.get("region_id"), **pagination.params(args))
        more = len(found) > args["limit"]
        # One byte ahead of the JSON says whether a next page exists (so the cache holds one value).
        return (b"1" if more else b"0") + dumps(found[: args["limit"]])

    query = tuple(sorted((k, args[k]) for k in ("region_id", "page", "limit") if args.get(k) is not None))
    found = versions.cached("facilities", (scope, query), compute)
    return found[1:], args["page"] + 1 if found[:1] == b"1" else None
