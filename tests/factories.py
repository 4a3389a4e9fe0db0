"""Test data factories. They go through the services where one exists, so
test data obeys the same rules as real data."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.auth import service as auth_service
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.field.models import Task, TaskOffer, Team
from coordinator.geo.models import Region
from coordinator.headquarters.models import Headquarters
from coordinator.hotline import intake as hotline
from coordinator.hotline.models import Case
from coordinator.housing.models import Facility, FacilityBeds, PlacementRequest
from coordinator.supplies.models import (
    Item,
    Lot,
    Organization,
    StockBalance,
    StockMove,
    SupplyRequest,
    SupplyRequestLine,
    Warehouse,
)

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


@dataclass
class Account:
    user: User
    token: str
    password: str = PASSWORD

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Factory:
    def __init__(self, session: Session) -> None:
        self.session = session

    def region(self, code: str = "almaty") -> Region:
        return self.session.scalar(select(Region).where(Region.code == code))

    def account(self, role: str, **scope) -> Account:
        user = auth_service.create_user(
            session=self.session, username=f"{role}-{next(_seq)}", password=PASSWORD, role=role, **scope
        )
        token = auth_service.issue_token(session=self.session, user=user, name="test")
        self.session.commit()
        return Account(user, token)

    def hq(self, region_code: str | None = "almaty") -> Headquarters:
        """The region's HQ (one per region), created on first use."""
        region = self.region(region_code) if region_code else None
        if region is not None:
            existing = self.session.scalar(select(Headquarters).where(Headquarters.region_id == region.id))
            if existing is not None:
                return existing
        hq = Headquarters(
            name=f"HQ {next(_seq)}",
            region_id=region.id if region else None,
            lat=region.lat if region else 51.18,
            lon=region.lon if region else 71.45,
        )
        self.session.add(hq)
        self.session.commit()
        return hq

    def facility(self, region_code: str = "almaty", beds: dict[str, int] | None = None, **kw) -> Facility:
        region = self.region(region_code)
        f = Facility(
            name=f"Facility {next(_seq)}",
            kind="sanatorium",
            region_id=region.id,
            lat=kw.pop("lat", region.lat),
            lon=kw.pop("lon", region.lon),
            **kw,
        )
        self.session.add(f)
        self.session.flush()
        for category, total in (beds or {"standard": 10}).items():
            self.session.add(FacilityBeds(facility_id=f.id, category=category, total=total))
        self.session.commit()
        return f

    def placement(self, facility: Facility | None = None, head_count: int = 2, **kw) -> PlacementRequest:
        """A request; with a facility it is assigned there and its beds are held."""
        region = self.session.get(Region, facility.region_id) if facility else self.region(kw.pop("region", "almaty"))
        p = PlacementRequest(
            head_count=head_count,
            contact_phone="+7 700 000 00 00",
            origin_name="Almaty",
            origin_lat=region.lat,
            origin_lon=region.lon,
            region_id=region.id,
            **kw,
        )
        if facility is not None:
            bed = facility.beds[0]
            bed.held += head_count
            p.status, p.facility_id, p.bed_category = "assigned", facility.id, bed.category
        self.session.add(p)
        self.session.commit()
        return p

    def task(self, team: Team | None = None, kind: str = "delivery", region_code: str = "almaty", **kw) -> Task:
        """A task; given a team, it is offered to that team."""
        region = self.region(region_code)
        kw.setdefault("lat", region.lat)
        kw.setdefault("lon", region.lon)
        kw.setdefault("title", f"{kind} {next(_seq)}")
        task = Task(kind=kind, region_id=region.id, status="created", **kw)
        self.session.add(task)
        self.session.flush()
        if team is not None:
            at = now()
            task.status, task.team_id, task.offered_at, task.offer_attempts = "offered", team.id, at, 1
            self.session.add(
                TaskOffer(task_id=task.id, team_id=team.id, offered_at=at, expires_at=at + timedelta(minutes=2))
            )
        self.session.commit()
        return task

    def team(self, region_code: str = "almaty", **kw) -> Team:
        hq = self.hq(region_code)
        team = Team(
            name=f"Team {next(_seq)}",
            home_hq_id=hq.id,
            region_id=hq.region_id,
            last_lat=hq.lat,
            last_lon=hq.lon,
            on_duty=True,
            **({"last_seen_at": now()} | kw),  # its phone just reported: not stale
        )
        self.session.add(team)
        self.session.commit()
        return team

    def warehouse(self, region_code: str = "almaty") -> Warehouse:
        region = self.region(region_code)
        w = Warehouse(name=f"Warehouse {next(_seq)}", region_id=region.id, lat=region.lat, lon=region.lon)
        self.session.add(w)
        self.session.commit()
        return w

    def organization(self, region_code: str = "almaty", tier: int = 1) -> Organization:
        region = self.region(region_code)
        o = Organization(
            name=f"Hospital {next(_seq)}",
            kind="hospital",
            tier=tier,
            region_id=region.id,
            lat=region.lat,
            lon=region.lon,
        )
        self.session.add(o)
        self.session.commit()
        return o

    def stock(self, warehouse: Warehouse, item: str = "FFP2 respirator", on_hand: int = 100, per_day: int = 0) -> Item:
        """Stock received (as ledger moves) with the last 14 days of daily
        issues (held, then issued) behind it."""
        found = self.session.scalar(select(Item).where(Item.name == item))
        if found is None:
            found = Item(code=f"I{next(_seq)}", name=item, unit="pcs")
            self.session.add(found)
            self.session.flush()
        lot = self.session.scalar(select(Lot).where(Lot.item_id == found.id, Lot.code == ""))
        if lot is None:
            lot = Lot(item_id=found.id, code="")
            self.session.add(lot)
            self.session.flush()
        issued = 14 * per_day
        balance = StockBalance(warehouse_id=warehouse.id, item_id=found.id, lot_id=lot.id, on_hand=on_hand + issued)
        self.session.add(balance)
        start = now() - timedelta(days=15)
        moves = [("received", on_hand + issued, start)]
        for day in range(1, 15) if per_day else ():
            at = now() - timedelta(days=day - 0.5)
            moves += [("held", per_day, at), ("issued", per_day, at)]
        for kind, qty, at in moves:
            self.session.add(
                StockMove(warehouse_id=warehouse.id, item_id=found.id, lot_id=lot.id, kind=kind, quantity=qty,
                          reference="test stock", occurred_at=at, created_at=at)
            )  # fmt: skip
        balance.on_hand -= issued
        self.session.commit()
        return found

    def supply_request(self, organization: Organization, item: str = "Medical mask", quantity: int = 10):
        """A pending request of one line (allocation not run)."""
        found = self.session.scalar(select(Item).where(Item.name == item))
        if found is None:
            found = Item(code=f"I{next(_seq)}", name=item, unit="pcs")
            self.session.add(found)
            self.session.flush()
        request = SupplyRequest(organization_id=organization.id, tier=organization.tier)
        self.session.add(request)
        self.session.flush()
        self.session.add(SupplyRequestLine(request_id=request.id, item_id=found.id, quantity_requested=quantity))
        self.session.commit()
        return request

    def case(self, region_code: str = "almaty", due_in_minutes: int = 600, **kw) -> Case:
        """An open hotline case whose SLA falls due in the given minutes (negative: breached)."""
        region = self.region(region_code)
        report = hotline.file_report(
            session=self.session,
            channel="phone",
            category=kw.pop("category", "no_ppe"),
            description=kw.pop("description", "No masks at the plant"),
            region_id=region.id,
            lat=region.lat,
            lon=region.lon,
            **kw,
        )
        report.case.sla_due_at = now() + timedelta(minutes=due_in_minutes)
        self.session.commit()
        return report.case

    def every_role(self, region_code: str = "almaty") -> dict[str, Account]:
        """One account per role, each with a scope of its own, plus a regional HQ."""
        facility = self.facility(region_code)
        warehouse = self.warehouse(region_code)
        team = self.team(region_code)
        org = self.organization(region_code)
        accounts = {
            "admin": self.account("admin"),
            "hq": self.account("hq"),
            "hq_regional": self.account("hq", region_id=self.region(region_code).id),
            "facility_manager": self.account("facility_manager"),
            "warehouse_manager": self.account("warehouse_manager"),
            "field": self.account("field", team_id=team.id),
            "hotline_operator": self.account("hotline_operator"),
            "requester": self.account("requester", organization_id=org.id),
        }
        accounts["facility_manager"].user.facilities = [facility]
        accounts["warehouse_manager"].user.warehouses = [warehouse]
        self.session.commit()
        self.scope = {"facility": facility, "warehouse": warehouse, "team": team, "organization": org}
        return accounts
