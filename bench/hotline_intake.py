"""Hotline intake benchmark: a burst of reports with a long history behind it.

The demo system runs as `make demo` runs it (gunicorn, one RQ worker, private
Redis, SQLite in a scratch folder). First BENCH_HOTLINE_HISTORY (50,000)
earlier cases are bulk-inserted with their reports, spread over the last 60
days (open ones mostly in the last 14, the duplicate check's window), about
6,000 employers, half the reports at a precise site. Then
BENCH_HOTLINE_REPORTS (5,000) reports are posted as fast as the server takes
them by BENCH_HOTLINE_CLIENTS (8) clients, each waiting for its answer before
sending the next. They go through the API channel (POST
/api/v1/hotline/reports, the hotline operator's bearer token, an
Idempotency-Key each): the public form's limit of a few reports per address
per hour would refuse a burst from one address, and the API channel is
limited by nothing but the server. A quarter repeat a recent open case of
the history and a tenth an earlier report of the burst (employer respelled,
same site, same phone), as people do.

Measured: each POST's latency (p50, p95, p99, max); whether each answer
carried the triage suggestion (severity and region, decided at intake
before the commit); and the time from the last answer until every report's
duplicate check has run. A check that finds nothing writes nothing in the
hotline's tables, so the benchmark follows each report's `check_duplicates`
job instead: the outbox row written with the case, and the RQ job
`outbox-<row id>` it becomes, until that job has finished (read every second
from Redis, its end time as the worker recorded it). Also: how many planted
repeats were suggested as duplicates of the case they repeat.

BENCH_HOTLINE_WAIT (900) caps the wait for the checks, in seconds.
`python -m bench.hotline_intake` runs it alone."""

from __future__ import annotations

import bisect
import itertools
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests
from redis import Redis
from rq.job import Job

from bench.system import ROOT, DemoSystem
from coordinator.demo.callers import WHAT, phone_number, respell_employer, respell_phone
from coordinator.hotline import privacy, text

HISTORY_DAYS = 60
WINDOW_DAYS = 14  # HOTLINE_DUPLICATE_DAYS
EMPLOYERS = 6000
TRADES = ("Bakery", "Meat Plant", "Textile Factory", "Construction", "Logistics", "Cement Works", "Market",
          "Polyclinic", "City Hospital", "Mining Company", "Oil Services", "Retail Chain", "Bus Park",
          "Grain Elevator", "Dairy", "Call Centre", "Garment Workshop", "Hotel", "Brickworks", "Warehouse")  # fmt: skip
CATEGORIES = tuple(WHAT)
SEVERITIES = ("critical", "high", "normal")


def _employers(rng: random.Random, places: list) -> list[tuple[str, object, float, float]]:
    """Employer name, settlement and site; the same name may exist in several towns."""
    out = []
    for n in range(EMPLOYERS):
        place = rng.choice(places)
        name = f"{place.name} {rng.choice(TRADES)}" + (f" No. {n % 37 + 1}" if n % 3 else "")
        out.append((name, place, place.lat + rng.uniform(-0.03, 0.03), place.lon + rng.uniform(-0.03, 0.03)))
    return out


def _history_case(rng: random.Random, cid: int, end: datetime, employer: tuple, region_id: int) -> tuple[dict, dict]:
    """One earlier case and its report, as rows: open mostly in the last two weeks, closed before."""
    name, place, site_lat, site_lon = employer
    age = timedelta(days=rng.uniform(0, HISTORY_DAYS))
    opened = end - age
    is_open = rng.random() < (0.55 if age < timedelta(days=WINDOW_DAYS) else 0.05)
    name = name if rng.random() < 0.85 else ""
    precise = rng.random() < 0.5
    if precise:
        lat, lon = site_lat + rng.uniform(-4e-4, 4e-4), site_lon + rng.uniform(-4e-4, 4e-4)
    else:
        lat, lon = place.lat, place.lon
    category, severity = rng.choice(CATEGORIES), rng.choices(SEVERITIES, weights=(1, 3, 8))[0]
    contact = None if rng.random() < 0.3 else phone_number(rng)
    number = f"C-{opened:%Y}-{cid:06d}"
    done = None if is_open else min(end, opened + timedelta(days=rng.uniform(1, 12)))
    description = f"At {name or place.name} {WHAT[category]}."
    shared = dict(category=category, region_id=region_id, lat=lat, lon=lon, settlement=place.name,
                  employer_name=name, employer_norm=text.employer(name), created_at=opened)  # fmt: skip
    case = dict(shared, id=cid, number=number, severity=severity, severity_suggested=severity, summary=description,
                status=rng.choice(("new", "triaged", "inspection_assigned")) if is_open else "closed",
                breached=False, escalated_national=False, paused=False, resolved_at=done, closed_at=done,
                updated_at=done or opened)  # fmt: skip
    report = dict(shared, channel=rng.choice(("phone", "web", "api")), via="", description=description,
                  anonymous=contact is None, reporter_name="Earlier caller" if contact else None,
                  reporter_contact=contact, reporter_key=privacy.reporter_key(contact), precise=precise, case_id=cid,
                  public_number=number, updated_at=opened)  # fmt: skip
    return case, report


def seed_history(count: int, rng_seed: int = 17) -> dict:
    """Bulk-insert `count` earlier cases with one report each (in this
    process, on the system's database: run with its environment). No SLA
    clocks: the scan has nothing of theirs left to do, as if it had long
    done it. Returns counts and samples of recent open reports to repeat."""
    from sqlalchemy import func, insert, select

    from coordinator import create_app
    from coordinator.common.clock import now
    from coordinator.extensions import db
    from coordinator.geo import gazetteer
    from coordinator.geo.models import Region
    from coordinator.hotline.models import Case, Report

    rng = random.Random(rng_seed)
    started = time.perf_counter()
    with create_app().app_context():
        regions = {r.code: r.id for r in db.session.scalars(select(Region))}
        places = [s for s in gazetteer.settlements() if s.region_code in regions and s.population > 3000]
        employers = _employers(rng, places)
        # A few employers are named often, most rarely.
        cumulative = list(itertools.accumulate(1 / (rank + 20) for rank in range(len(employers))))
        first = (db.session.scalar(select(func.max(Case.id))) or 0) + 1
        end, cases, reports, samples = now(), [], [], []
        for cid in range(first, first + count):
            employer = employers[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
            case, report = _history_case(rng, cid, end, employer, regions[employer[1].region_code])
            cases.append(case)
            reports.append(report)
            recent = case["created_at"] > end - timedelta(days=10)
            if case["status"] != "closed" and recent and (report["employer_name"] or report["precise"] or
                                                          report["reporter_contact"]):  # fmt: skip
                samples.append({"case_id": cid, "category": case["category"], "settlement": case["settlement"],
                                "employer_name": report["employer_name"], "contact": report["reporter_contact"],
                                "lat": case["lat"] if report["precise"] else None,
                                "lon": case["lon"] if report["precise"] else None})  # fmt: skip
        for at in range(0, count, 5000):
            db.session.execute(insert(Case), cases[at : at + 5000])
            db.session.execute(insert(Report), reports[at : at + 5000])
        db.session.commit()
    return {
        "history_cases": count,
        "history_open": sum(1 for c in cases if c["status"] != "closed"),
        "history_seed_s": round(time.perf_counter() - started, 1),
        "samples": rng.sample(samples, min(len(samples), 3000)),
    }


def _fresh(rng: random.Random, places: list) -> dict:
    """What a new report says: a settlement, or a phone's location in it (four in ten)."""
    place = rng.choice(places)
    point = rng.random() < 0.4
    return {
        "category": rng.choice(CATEGORIES),
        "settlement": place.name,
        "employer_name": f"{place.name} {rng.choice(TRADES)}" if rng.random() < 0.8 else "",
        "lat": place.lat + rng.uniform(-0.03, 0.03) if point else None,
        "lon": place.lon + rng.uniform(-0.03, 0.03) if point else None,
        "contact": phone_number(rng) if rng.random() < 0.7 else None,
    }


def _repeat(rng: random.Random, like: dict) -> dict:
    """`like` told again by someone else, with one or more of what the hotline
    matches on: the employer respelled, the same site (within ~60 m), the
    same phone written otherwise; the rest left out."""
    ways = [w for w, ok in (("employer", like["employer_name"]), ("site", like["lat"] is not None),
                            ("reporter", like["contact"])) if ok]  # fmt: skip
    chosen = set(rng.sample(ways, k=rng.randint(1, len(ways))))
    site = "site" in chosen
    return {
        "category": like["category"],
        "settlement": like["settlement"],
        "employer_name": respell_employer(like["employer_name"], rng) if "employer" in chosen else "",
        "lat": like["lat"] + rng.uniform(-4e-4, 4e-4) if site else None,
        "lon": like["lon"] + rng.uniform(-4e-4, 4e-4) if site else None,
        "contact": respell_phone(like["contact"], rng) if "reporter" in chosen else None,
    }


def _bodies(rng: random.Random, n: int, samples: list[dict]) -> list[tuple[dict, tuple[str, int] | None]]:
    """The burst's reports and, for a planted repeat, what it repeats:
    ("case", history case id) or ("report", index of an earlier burst report)."""
    from coordinator.geo import gazetteer

    places = [s for s in gazetteer.settlements() if s.population > 3000]
    said: list[dict] = []
    out: list[tuple[dict, tuple[str, int] | None]] = []
    for i in range(n):
        roll, repeats = rng.random(), None
        j = rng.randrange(0, i - 200) if 0.25 <= roll < 0.35 and i > 200 else None  # answered long ago
        if roll < 0.25 and samples:
            like = rng.choice(samples)
            said.append(_repeat(rng, like))
            repeats = ("case", like["case_id"])
        elif j is not None and _repeat_ok(said[j]):
            said.append(_repeat(rng, said[j]))
            repeats = ("report", j)
        else:
            said.append(_fresh(rng, places))
        it = said[-1]
        body = {"channel": "api", "via": rng.choice(("sms", "telegram-bot")), "category": it["category"],
                "description": f"{WHAT[it['category']].capitalize()} (report {i}).", "employer_name":
                it["employer_name"]}  # fmt: skip
        if it["lat"] is not None:
            body |= {"lat": it["lat"], "lon": it["lon"]}
        else:
            body["settlement"] = it["settlement"]
        if it["contact"]:
            body |= {"reporter_name": "Bench caller", "reporter_contact": it["contact"]}
        else:
            body["anonymous"] = True
        out.append((body, repeats))
    return out


def _repeat_ok(like: dict) -> bool:
    return bool(like["employer_name"] or like["lat"] is not None or like["contact"])


class CheckWatch:
    """Follows each case's check_duplicates job: outbox row -> RQ job -> its end."""

    def __init__(self, db_path: str, redis_url: str) -> None:
        self.db = sqlite3.connect(db_path, check_same_thread=False)
        self.redis = Redis.from_url(redis_url)
        self.wanted: set[int] = set()
        self.job_of: dict[int, int] = {}
        self.ended: dict[int, float] = {}
        self.failed: set[int] = set()
        self.last_row = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM outbox").fetchone()[0]
        self.lock = threading.Lock()

    def poll(self) -> None:
        rows = self.db.execute(
            "SELECT id, args FROM outbox WHERE job = 'check_duplicates' AND id > ? ORDER BY id", (self.last_row,)
        ).fetchall()
        for row_id, args in rows:
            self.job_of.setdefault(json.loads(args)[0], row_id)
            self.last_row = row_id
        with self.lock:
            pending = [c for c in self.wanted if c in self.job_of and c not in self.ended and c not in self.failed]
        pipe = self.redis.pipeline(transaction=False)
        for case_id in pending:
            pipe.hmget(Job.key_for(f"outbox-{self.job_of[case_id]}"), "status", "ended_at")
        for case_id, (status, ended) in zip(pending, pipe.execute(), strict=True):
            if status == b"finished" and ended:
                at = datetime.strptime(ended.decode(), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
                self.ended[case_id] = at.timestamp()
            elif status == b"failed":
                self.failed.add(case_id)

    def watch(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.poll()
            stop.wait(1.0)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 1)


def burst(system: DemoSystem, *, reports: int, clients: int, samples: list[dict], wait: float) -> dict:
    headers = {"Authorization": f"Bearer {system.token('hotline')}"}
    bodies = _bodies(random.Random(23), reports, samples)
    watch = CheckWatch(str(system.dir / "var" / "birlik.db"), system.env["BIRLIK_REDIS_URL"])
    answers: dict[int, dict] = {}
    latency_ms: dict[int, float] = {}
    posted_at: dict[int, float] = {}
    errors: dict[str, int] = {}
    local = threading.local()

    def post(i: int) -> None:
        if not hasattr(local, "http"):
            local.http = requests.Session()  # one kept-alive connection per client
        http = local.http
        sent, wall = time.perf_counter(), time.time()
        try:
            resp = http.post(system.url + "/api/v1/hotline/reports", json=bodies[i][0], timeout=60,
                             headers=headers | {"Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
        except requests.RequestException as exc:
            with watch.lock:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            return
        took = (time.perf_counter() - sent) * 1000
        with watch.lock:
            if resp.status_code == 201:
                answers[i], latency_ms[i], posted_at[i] = resp.json(), took, wall
                watch.wanted.add(answers[i]["case_id"])
            else:
                errors[str(resp.status_code)] = errors.get(str(resp.status_code), 0) + 1

    stop = threading.Event()
    watcher = threading.Thread(target=watch.watch, args=(stop,), daemon=True)
    watcher.start()
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(post, range(reports)))
    burst_s, last_answer = time.perf_counter() - began, time.time()
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and len(watch.ended) + len(watch.failed) < len(watch.wanted):
        time.sleep(0.5)
    stop.set()
    watcher.join()
    watch.poll()
    checked = {i: watch.ended[a["case_id"]] for i, a in answers.items() if a["case_id"] in watch.ended}
    suggested = sum(1 for a in answers.values() if a["severity_suggested"] and a["region_id"] is not None)
    found = _planted_found(watch.db, bodies, answers)
    lat = list(latency_ms.values())
    return {
        "reports": reports,
        "clients": clients,
        "accepted": len(answers),
        "errors": errors,
        "burst_s": round(burst_s, 1),
        "reports_per_s": round(len(answers) / burst_s, 1),
        "post_ms_p50": _pct(lat, 0.50),
        "post_ms_p95": _pct(lat, 0.95),
        "post_ms_p99": _pct(lat, 0.99),
        "post_ms_max": round(max(lat), 1),
        "triage_suggested_in_answer": suggested,
        "duplicate_checks_done": len(checked),
        "duplicate_checks_failed": len(watch.failed),
        "all_checked_s_after_last_post": round(max(checked.values()) - last_answer, 1) if checked else None,
        "post_to_checked_s_p50": _pct([checked[i] - posted_at[i] for i in checked], 0.50) if checked else None,
        "post_to_checked_s_max": round(max(checked[i] - posted_at[i] for i in checked), 1) if checked else None,
        **found,
    }


def _planted_found(db: sqlite3.Connection, bodies: list, answers: dict[int, dict]) -> dict:
    """Planted repeats whose case got a suggestion naming the case they repeat
    (either way round); of those missed, how many had the most suggestions a
    case gets (the check keeps the best MAX_SUGGESTIONS, so a repeat matching
    on one thing can lose its place to closer matches)."""
    from coordinator.hotline.duplicates import MAX_SUGGESTIONS

    pairs = set(db.execute("SELECT case_id, other_id FROM case_links").fetchall())
    suggested = dict(db.execute("SELECT case_id, COUNT(*) FROM case_links GROUP BY case_id").fetchall())
    planted = found = capped = 0
    for i, (_, repeats) in enumerate(bodies):
        if repeats is None or i not in answers:
            continue
        target = repeats[1] if repeats[0] == "case" else answers.get(repeats[1], {}).get("case_id")
        if target is None:
            continue
        planted += 1
        mine = answers[i]["case_id"]
        if (mine, target) in pairs or (target, mine) in pairs:
            found += 1
        else:
            capped += suggested.get(mine, 0) >= MAX_SUGGESTIONS
    ours = {a["case_id"] for a in answers.values()}
    return {
        "planted_repeats": planted,
        "planted_repeats_suggested": found,
        "planted_missed_at_suggestion_cap": capped,
        "reports_with_suggestions": sum(1 for case_id in suggested if case_id in ours),
        "reports_at_suggestion_cap": sum(
            1 for case_id, n in suggested.items() if case_id in ours and n >= MAX_SUGGESTIONS
        ),
    }


def run() -> dict:
    reports = int(os.environ.get("BENCH_HOTLINE_REPORTS", "5000"))
    history = int(os.environ.get("BENCH_HOTLINE_HISTORY", "50000"))
    clients = int(os.environ.get("BENCH_HOTLINE_CLIENTS", "8"))
    wait = float(os.environ.get("BENCH_HOTLINE_WAIT", "900"))
    with DemoSystem() as system:
        seeded = json.loads(
            subprocess.run(
                [sys.executable, "-m", "bench.hotline_intake", "seed-history", str(history)],
                cwd=ROOT, env=system.env, check=True, capture_output=True, text=True,
            ).stdout.splitlines()[-1]
        )  # fmt: skip
        samples = seeded.pop("samples")
        result = {
            "database": "sqlite",
            "channel": "api (bearer token, Idempotency-Key per report; the public form's per-address limit "
            "does not apply to it, and was left as configured)",
            **seeded,
            **burst(system, reports=reports, clients=clients, samples=samples, wait=wait),
        }
    result["within_the_hour"] = result["burst_s"] + (result["all_checked_s_after_last_post"] or 0) <= 3600
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed-history"]:
        print(json.dumps(seed_history(int(sys.argv[2]))))
    else:
        print(json.dumps(run(), indent=2))
