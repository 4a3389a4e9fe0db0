"""HQ map benchmarks, in headless Chromium (Debian's package, driven by Playwright).

1. First render: the demo system plus open hotline cases up to 5,000 markers;
   from navigation start to every marker drawn and the next frame painted
   (median of three fresh page loads).
2. Frame time under load: while the page is open, 50 events per second for
   30 s reach it (team positions, HQ status reports and facility bed changes
   made through the API, as phones and managers would); the page records the
   time between animation frames. p50, p95, p99 and the worst frame.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import requests

from bench.paged import every_row
from bench.system import DemoSystem
from tests.browser import chromium

MARKERS = 5000

# Fills the map up to the marker target with open cases spread over the country.
SETUP = """
import random, sys
from datetime import timedelta
from sqlalchemy import func, select
from coordinator import create_app
from coordinator.common.clock import now
from coordinator.extensions import db
from coordinator.geo.models import Region
from coordinator.hotline.models import Case
app = create_app()
rng = random.Random(11)
with app.app_context():
    regions = db.session.scalars(select(Region)).all()
    start = db.session.scalar(select(func.max(Case.id))) or 0
    for i in range(int(sys.argv[1])):
        r = rng.choice(regions)
        db.session.add(Case(number=f"B-{start + i + 1:07d}", category="other", severity=rng.choice(["high", "normal"]),
                            region_id=r.id, lat=r.lat + rng.uniform(-1.2, 1.2), lon=r.lon + rng.uniform(-2, 2),
                            summary="benchmark", sla_due_at=now() + timedelta(days=30)))
    db.session.commit()
"""

# Installed before any page script: records when the map has drawn, and frame times on demand.
PROBE = """
window.__bench = { drawnAt: null, frames: [], events: 0, recording: false };
document.addEventListener("birlik:map-drawn", () => {
  requestAnimationFrame(() => requestAnimationFrame(() => {
    if (window.__bench.drawnAt === null) window.__bench.drawnAt = performance.now();
  }));
});
document.addEventListener("birlik:event", () => { window.__bench.events += 1; });
window.__benchRecord = () => {
  const b = window.__bench;
  b.recording = true; b.frames = [];
  let last = performance.now();
  const tick = (t) => { b.frames.push(t - last); last = t; if (b.recording) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
};
"""


def _layer_total(system: DemoSystem, token: str) -> int:
    body = requests.get(system.url + "/api/v1/map", headers={"Authorization": f"Bearer {token}"}, timeout=60).json()
    return sum(len(v) for v in body["layers"].values())


def _last_event_id(system: DemoSystem) -> int:
    with sqlite3.connect(system.dir / "var" / "birlik.db") as db:
        return db.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def _sign_in(browser, system: DemoSystem):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_init_script(PROBE)
    # No tile server on this machine: tiles fail fast, as on an isolated network.
    context.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    page = context.new_page()
    page.goto(system.url + "/login")
    page.fill("#username", "hq")
    page.fill("#password", "birlik-demo")
    page.press("#password", "Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def first_render(browser, system: DemoSystem, markers: int) -> dict:
    times = []
    for _ in range(3):
        context, page = _sign_in(browser, system)
        page.goto(system.url + "/hq")
        page.wait_for_function(
            f"() => window.__bench.drawnAt !== null && BirlikMap.markerCount() >= {markers}", timeout=120_000
        )
        times.append(page.evaluate("window.__bench.drawnAt"))
        context.close()
    return {"markers": markers, "runs_ms": [round(t) for t in times], "median_ms": round(statistics.median(times))}


def _event_load(system: DemoSystem, token: str, *, rate: int, seconds: int) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    teams = every_row(system.url + "/api/v1/teams", headers=auth)
    hqs = requests.get(system.url + "/api/v1/hqs", headers=auth, timeout=30).json()
    facilities = every_row(system.url + "/api/v1/facilities", headers=auth)
    rng = random.Random(3)
    sent = errors = 0
    lock = threading.Lock()

    def one() -> None:
        nonlocal sent, errors
        roll = rng.random()
        if roll < 0.8:  # most traffic is phones reporting where they are
            t = rng.choice(teams)
            lat, lon = (t.get("last_lat") or 48.0) + rng.uniform(-0.01, 0.01), (t.get("last_lon") or 67.0)
            body = {"lat": lat, "lon": lon + rng.uniform(-0.01, 0.01), "at": datetime.now(UTC).isoformat()}
            resp = requests.post(f"{system.url}/api/v1/teams/{t['id']}/position", json=body, headers=auth, timeout=30)
        elif roll < 0.9:
            h = rng.choice(hqs)
            body = {"staff_on_duty": rng.randint(2, 30), "open_cases": rng.randint(0, 50)}
            resp = requests.post(
                f"{system.url}/api/v1/hqs/{h['id']}/status-reports", json=body, headers=auth, timeout=30
            )
        else:
            f = rng.choice(facilities)
            bed = f["beds"][0]
            body = {
                "total": bed["total"],
                "out_of_service": rng.randint(0, max(0, bed["total"] - bed["held"] - bed["occupied"])),
            }
            resp = requests.put(
                f"{system.url}/api/v1/facilities/{f['id']}/beds/{bed['category']}", json=body, headers=auth, timeout=30
            )
        with lock:
            sent += 1
            errors += resp.status_code >= 400

    threads: list[threading.Thread] = []
    start = time.monotonic()
    for i in range(rate * seconds):
        wait = start + i / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        th = threading.Thread(target=one, daemon=True)
        th.start()
        threads.append(th)
        threads = [t for t in threads if t.is_alive()]
    for th in threads:
        th.join(timeout=30)
    return {"sent": sent, "errors": errors, "seconds": round(time.monotonic() - start, 1)}


def frame_times(browser, system: DemoSystem, *, rate: int, seconds: int) -> dict:
    context, page = _sign_in(browser, system)
    page.goto(system.url + "/hq")
    page.wait_for_function("() => window.__bench.drawnAt !== null", timeout=120_000)
    page.wait_for_selector("#live-state.ok", timeout=30_000)
    first_id = _last_event_id(system)
    page.evaluate("window.__benchRecord()")
    load = _event_load(system, system.token("admin"), rate=rate, seconds=seconds)
    time.sleep(2)  # let the last events arrive and render
    page.evaluate("window.__bench.recording = false")
    frames = page.evaluate("window.__bench.frames")[1:]
    received = page.evaluate("window.__bench.events")
    context.close()
    return {
        "events_per_second": rate,
        "seconds": seconds,
        **load,
        # Late position fixes (older than the team's last) are ignored by design, so
        # fewer events are written than calls made; the page should get them all.
        "events_written": _last_event_id(system) - first_id,
        "events_received_by_page": received,
        "frames": len(frames),
        "frame_ms_p50": _pct(frames, 0.50),
        "frame_ms_p95": _pct(frames, 0.95),
        "frame_ms_p99": _pct(frames, 0.99),
        "frame_ms_max": round(max(frames), 1),
    }


def run() -> dict:
    from playwright.sync_api import sync_playwright

    if chromium.executable() is None:
        return {"skipped": chromium.MISSING}
    with DemoSystem() as system:
        token = system.token("hq")
        extra = MARKERS - _layer_total(system, token)
        if extra > 0:
            subprocess.run([sys.executable, "-c", SETUP, str(extra)], env=system.env, check=True)
        markers = _layer_total(system, token)
        with sync_playwright() as pw:
            browser = chromium.launch(pw)
            try:
                result = {"first_render": first_render(browser, system, markers)}
                result["live_frames"] = frame_times(
                    browser,
                    system,
                    rate=int(os.environ.get("BENCH_MAP_RATE", "50")),
                    seconds=int(os.environ.get("BENCH_MAP_SECONDS", "30")),
                )
            finally:
                browser.close()
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
