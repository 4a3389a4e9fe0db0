"""GET /metrics: every process's series added up, plus the RQ queue depths
read at scrape time. Readable from the machine itself (a loopback address, also
through a trusted proxy such as the demo's nginx) or with `Authorization: Bearer <BIRLIK_METRICS_TOKEN>`;
everyone else gets 403. It is public to the sign-in rules (Prometheus does
not sign in); this network-or-token check is its own."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, Flask, Response, current_app, request
from redis.exceptions import RedisError

from coordinator import authz
from coordinator.common.errors import Forbidden
from coordinator.i18n import N_
from coordinator.ops import metrics
from coordinator.queue import get_queue

bp = Blueprint("metrics", __name__)
_FORWARDED = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def _loopback() -> bool:
    # Through a trusted proxy (BIRLIK_TRUSTED_PROXIES) the proxy fix has put
    # the client's own address in remote_addr; through any other, the address
    # is the proxy's and says nothing of the client.
    fixed = "werkzeug.proxy_fix.orig" in request.environ
    if not fixed and any(h in request.headers for h in _FORWARDED):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _token_ok() -> bool:
    token = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    return bool(token) and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip(), token)


def queue_depths() -> dict[str, dict[str, int]]:
    out = {}
    for name in current_app.config["RQ_QUEUES"]:
        q = get_queue(name)
        try:
            out[name] = {"queued": q.count, "failed": q.failed_job_registry.count}
        except RedisError:
            continue  # Redis away: the scrape still answers with the rest
    return out


@bp.get("/metrics")
@authz.public
def scrape() -> Response:
    if not (_token_ok() or _loopback()):
        raise Forbidden(N_("Metrics are readable from this machine or with the metrics token."))
    body, content_type = metrics.exposition(queue_depths)
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
