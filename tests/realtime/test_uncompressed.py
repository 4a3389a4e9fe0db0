"""Every browser offers permessage-deflate when it opens a WebSocket; the
Socket.IO server used to accept, and then compressed each event once per
socket (at 2,000 screens: 80 us of CPU per delivery instead of 32, and
about 190 KB of zlib state per socket). It declines now: a client that
offers compression, as a browser does, gets plain frames, and still hears
its events."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest


async def _open(url: str, token: str) -> tuple[int, str | None, list]:
    """Opens a Socket.IO connection offering compression as a browser does;
    returns the compression agreed, the extensions header the server
    answered, and the `welcome` it then sent (after a `resync`, perhaps:
    a process that has just subscribed to the queue sends one)."""
    async with aiohttp.ClientSession() as session:
        ws_url = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        async with session.ws_connect(ws_url, compress=15, timeout=aiohttp.ClientWSTimeout(ws_close=10)) as ws:
            extensions = ws._response.headers.get("Sec-WebSocket-Extensions")
            opened = await asyncio.wait_for(ws.receive(), 10)
            assert str(opened.data).startswith("0")
            await ws.send_str("40" + json.dumps({"token": token}))
            while True:
                data = str((await asyncio.wait_for(ws.receive(), 10)).data)
                if data.startswith("42") and json.loads(data[2:])[0] == "welcome":
                    return ws.compress, extensions, json.loads(data[2:])


@pytest.mark.web_role("realtime")
def test_a_browser_like_offer_of_compression_gets_plain_frames_and_its_welcome(live_server, make):
    hq = make.account("hq")
    # A loop of its own on a thread of its own: an earlier test in this
    # process (Playwright's sync API) may have left this thread's loop running.
    with ThreadPoolExecutor(max_workers=1) as pool:
        compress, extensions, welcome = pool.submit(asyncio.run, _open(live_server.url, hq.token)).result()
    assert compress == 0, extensions
    assert extensions is None
    assert welcome[1]["user"]["id"] == hq.user.id
