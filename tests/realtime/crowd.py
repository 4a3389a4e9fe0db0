"""A crowd of Socket.IO screens in one process: asyncio clients over websocket,
as many as asked, each signed in with a token. The test of many sockets and
the fan-out benchmark run it as a helper process and talk to it by lines:

    python -m tests.realtime.crowd URL TOKEN COUNT [--type facility.beds_changed]

It connects COUNT clients (a bounded number at a time), then prints one JSON
line: {"connected", "failed", "errors", "seconds"}. Then, on stdin:

- `wait N TIMEOUT`: waits until every connected client has received N events
  of the type (or TIMEOUT seconds pass) and prints {"clients", "complete",
  "delays_ms": {event id: [delay of each client that got it]}}; a delay runs
  from the event's `at` (when it was recorded) to its arrival here.
- `close` (or end of input): disconnects everyone, prints {"closed"}, exits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import select
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import aiohttp
import socketio

CONNECT_AT_ONCE = 100
ROOT = Path(__file__).resolve().parents[2]


class Crowd:
    """Drives one crowd helper process from a test or a benchmark."""

    def __init__(
        self, url: str, token: str, count: int, *, kind: str = "facility.beds_changed", lean: bool = False
    ) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.realtime.crowd", url, token, str(count), "--type", kind]
            + (["--lean"] if lean else []),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.pid = self.proc.pid

    def _read(self, timeout: float = 120) -> dict:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"the crowd helper said nothing for {timeout} s")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the crowd helper exited ({self.proc.wait()})")
        return json.loads(line)

    def connected(self) -> dict:
        """Blocks until every client has connected or given up."""
        return self._read()

    def wait(self, events: int, timeout: float) -> dict:
        self.proc.stdin.write(f"wait {events} {timeout}\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("close\n")
                self.proc.stdin.flush()
                self._read()
                self.proc.wait(timeout=30)
            except (OSError, RuntimeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def raise_open_files(needed: int) -> None:
    """Each client is a socket: lift the soft limit on open files (to the hard one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = hard if hard == resource.RLIM_INFINITY else min(hard, max(needed, soft))
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, target), hard))


class Screen:
    """One screen: python-socketio's AsyncClient."""

    def __init__(self, url: str, token: str, kind: str) -> None:
        self.url, self.token, self.kind = url, token, kind
        self.sio = socketio.AsyncClient(reconnection=False)
        self.arrived: dict[int, float] = {}
        self.welcome = asyncio.Event()
        self.sio.on("event", self._on_event)
        self.sio.on("welcome", self._on_welcome)

    async def _on_welcome(self, _payload) -> None:
        self.welcome.set()

    async def _on_event(self, payload) -> None:
        if payload.get("type") == self.kind:
            at = datetime.fromisoformat(payload["at"].replace("Z", "+00:00")).timestamp()
            self.arrived[payload["id"]] = (time.time() - at) * 1000

    async def connect(self, timeout: float) -> None:
        await self.sio.connect(self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=timeout)
        await asyncio.wait_for(self.welcome.wait(), timeout)

    @property
    def connected(self) -> bool:
        return self.sio.connected and self.welcome.is_set()

    async def close(self) -> None:
        await self.sio.disconnect()


class LeanScreen(Screen):
    """One screen speaking Engine.IO 4 and Socket.IO 5 itself over one aiohttp
    websocket (open, connect with the token, pong every ping, read events),
    offering compression as a browser does.
    The benchmark's default: python-socketio's client costs about three times
    the server's CPU per message, and on a shared machine the clients would
    measure themselves."""

    session: aiohttp.ClientSession | None = None

    def __init__(self, url: str, token: str, kind: str) -> None:
        self.url, self.token, self.kind = url, token, kind
        self.arrived = {}
        self.welcome = asyncio.Event()
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task | None = None

    async def connect(self, timeout: float) -> None:
        if LeanScreen.session is None:
            LeanScreen.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        url = self.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        # Offering permessage-deflate as every browser does: a server that
        # accepts it pays for compressing each event once per socket.
        self.ws = await LeanScreen.session.ws_connect(
            url, timeout=aiohttp.ClientWSTimeout(ws_close=timeout), compress=15
        )
        opened = await asyncio.wait_for(self.ws.receive(), timeout)
        if not str(opened.data).startswith("0"):
            raise OSError(f"no Engine.IO open packet: {opened.data!r}")
        await self.ws.send_str("40" + json.dumps({"token": self.token}))
        self.reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self.welcome.wait(), timeout)

    async def _read(self) -> None:
        async for msg in self.ws:
            data = msg.data
            if data == "2":  # ping
                await self.ws.send_str("3")
            elif data.startswith("42"):
                name, payload = json.loads(data[2:])[:2]
                if name == "event":
                    await self._on_event(payload)
                elif name == "welcome":
                    self.welcome.set()
            elif data.startswith("44"):  # the server refused the connection
                break

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed and self.welcome.is_set()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


async def _connect_all(screens: list[Screen], timeout: float) -> list[str]:
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    errors: list[str] = []

    async def one(screen: Screen) -> None:
        async with gate:
            try:
                # Bounded as a whole: a server that accepts a connection and
                # never answers must not hold the crowd (or a test) forever.
                await asyncio.wait_for(screen.connect(timeout), timeout)
            except (TimeoutError, socketio.exceptions.ConnectionError, aiohttp.ClientError, OSError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")

    await asyncio.gather(*(one(s) for s in screens))
    return errors


async def _wait(screens: list[Screen], count: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(len(s.arrived) < count for s in screens):
        await asyncio.sleep(0.05)
    delays: dict[int, list[float]] = {}
    for screen in screens:
        for event_id, delay in screen.arrived.items():
            delays.setdefault(event_id, []).append(round(delay, 1))
    return {
        "clients": len(screens),
        "complete": sum(len(s.arrived) >= count for s in screens),
        "cpu_seconds": round(time.process_time(), 1),
        "delays_ms": delays,
    }


def _say(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main(url: str, token: str, count: int, kind: str, connect_timeout: float, lean: bool) -> None:
    screens = [(LeanScreen if lean else Screen)(url, token, kind) for _ in range(count)]
    start = time.monotonic()
    errors = await _connect_all(screens, connect_timeout)
    connected = [s for s in screens if s.connected]
    _say(
        {
            "connected": len(connected),
            "failed": count - len(connected),
            "errors": sorted(set(errors))[:5],
            "seconds": round(time.monotonic() - start, 1),
        }
    )
    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
        if not line or line[0] == "close":
            break
        if line[0] == "wait":
            _say(await _wait(connected, int(line[1]), float(line[2])))
    await asyncio.gather(*(s.close() for s in connected), return_exceptions=True)
    if LeanScreen.session is not None:
        await LeanScreen.session.close()
    _say({"closed": len(connected)})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("count", type=int)
    parser.add_argument("--type", default="facility.beds_changed")
    parser.add_argument("--connect-timeout", type=float, default=30)
    parser.add_argument("--lean", action="store_true", help="LeanScreen clients instead of python-socketio's")
    args = parser.parse_args()
    raise_open_files(args.count + 200)
    asyncio.run(main(args.url, args.token, args.count, args.type, args.connect_timeout, args.lean))
