"""`make demo`'s launcher brings the whole system up: login page and a 200 /healthz within 90 s,
and (with nginx installed) a socket opened on the same port reaches the realtime process."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests
import socketio

from coordinator.demo import proxy
from tests.servers import ROOT, free_port


@pytest.mark.slow
def test_demo_serves_login_and_healthy_within_90s(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIRLIK_")}
    env.update(BIRLIK_PORT=str(port), BIRLIK_VAR_DIR=str(tmp_path / "var"), BIRLIK_DEMO_SIMULATE="2")
    log = open(tmp_path / "demo.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "coordinator.demo.launch"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    health = None
    try:
        while time.monotonic() - started < 90:
            try:
                health = requests.get(url + "/healthz", timeout=5)
                if health.status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert proc.poll() is None, (tmp_path / "demo.log").read_text()[-3000:]
            time.sleep(0.5)
        assert health is not None and health.status_code == 200, (tmp_path / "demo.log").read_text()[-3000:]
        login = requests.get(url + "/login", timeout=5)
        assert login.status_code == 200 and "Sign in" in login.text
        token = requests.post(
            url + "/api/v1/auth/tokens", json={"username": "hq", "password": "birlik-demo"}, timeout=5
        ).json()["token"]
        # Every page of the list (it pages; the Link header names the next one).
        facilities, next_url = [], url + "/api/v1/facilities"
        while next_url:
            resp = requests.get(next_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
            facilities += resp.json()
            next_url = resp.links.get("next", {}).get("url")
        assert 140 <= len(facilities) <= 160
        # A websocket, and long-polling as a browser starts, both through nginx.
        for transports in (["websocket"], ["polling"]):
            sio = socketio.Client(reconnection=False)
            welcome = []
            sio.on("welcome", welcome.append)
            sio.connect(url, auth={"token": token}, transports=transports, wait_timeout=10)
            deadline = time.monotonic() + 10
            while not welcome and time.monotonic() < deadline:
                time.sleep(0.05)
            sio.disconnect()
            assert welcome and welcome[0]["user"]["role"] == "hq", transports
        # Prometheus on this machine reads /metrics on the demo's port.
        assert requests.get(url + "/metrics", timeout=10).status_code == 200
    finally:
        # A launcher that stopped on its own took its group with it; the
        # assertion above says why, and this must not hide it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        finally:
            log.close()
    output = (tmp_path / "demo.log").read_text()
    assert "admin" in output and "birlik-demo" in output
    web = ("nginx", "realtime", "api") if proxy.binary() else ("web",)
    for name in (*web, "worker"):
        assert re.search(rf"^\S+ {name} +\|", output, re.M), name
