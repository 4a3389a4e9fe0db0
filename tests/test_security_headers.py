"""Security headers on every response, and pages the Content-Security-Policy
can run as they are: no inline script, event-handler attribute or inline style."""

import re
from html.parser import HTMLParser

from coordinator import create_app
from coordinator.headers import content_security_policy

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
SAMPLES = {"category": "standard", "layer": "facilities", "fmt": "csv"}
# RQ's dashboard (admin only) runs inline scripts it ships: its pages get a
# policy allowing exactly those, by hash (checked in tests/ops/test_watch.py).
DASHBOARD = "rq_dashboard."


def _url(rule, ids: dict[str, int]) -> str:
    if rule.endpoint == "static":
        return "/static/css/app.css"
    if rule.endpoint == "vendor.asset":
        return "/vendor/leaflet/dist/leaflet.js"
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str({**SAMPLES, **ids}.get(m.group(1), 1)), rule.rule)


def _assert_guarded(resp, what, script_src: str = "script-src 'self';") -> None:
    for name, value in EXPECTED.items():
        assert resp.headers.get(name) == value, (what, resp.status_code, name)
    policy = resp.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy, what
    assert script_src in policy, what
    assert "Strict-Transport-Security" not in resp.headers, what  # not outside production


def test_every_route_answers_with_the_security_headers(app, client, make):
    admin = make.account("admin")
    facility = make.facility("almaty", beds={"standard": 4})
    ids = {"facility_id": facility.id}
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout")  # signing out last
    checked = 0
    for rule in rules:
        url = _url(rule, ids)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for headers in (admin.auth, {}):  # signed in, and anonymous (401s, redirects)
                resp = client.open(url, method=method, headers=headers, json={} if method != "GET" else None)
                dashboard = rule.endpoint.startswith(DASHBOARD)
                _assert_guarded(resp, f"{method} {url}", "script-src 'self'" if dashboard else "script-src 'self';")
                checked += 1
    for url in ("/no-such-page", "/api/v1/no-such-thing", "/api/v1/facilities/999999"):
        _assert_guarded(client.get(url, headers=admin.auth), url)
    assert checked > 100


def test_an_error_of_the_app_itself_carries_the_headers(config):
    broken = create_app({**config, "REDIS_URL": "redis://127.0.0.1:1/0"})  # /healthz answers 503
    resp = broken.test_client().get("/healthz")
    assert resp.status_code == 503
    _assert_guarded(resp, "/healthz without Redis")


def test_production_adds_hsts(config, monkeypatch):
    monkeypatch.setenv("BIRLIK_ENV", "production")
    app = create_app(config)
    resp = app.test_client().get("/login")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_images_may_come_from_the_tile_server_and_nothing_else_from_elsewhere():
    policy = dict(
        d.split(" ", 1) for d in content_security_policy("https://{s}.tiles.example.org/{z}/{x}/{y}.png").split("; ")
    )
    assert policy["img-src"] == "'self' data: https://*.tiles.example.org"
    assert all("example.org" not in v for k, v in policy.items() if k != "img-src")
    assert "unsafe" not in " ".join(policy.values())
    # A tile server on the app's own origin needs no source of its own.
    assert "img-src 'self' data:;" in content_security_policy("/tiles/{z}/{x}/{y}.png")


class InlineCode(HTMLParser):
    """Whatever in a page the policy would block: a <script> with code in it,
    an on...= attribute, a style= attribute or a <style> element."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.found += [f"<{tag} {name}=...>" for name in attrs if name.startswith("on") or name == "style"]
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            self._script = attrs

    def handle_data(self, data):
        script = self._script
        if script is not None and "src" not in script and script.get("type") != "application/json" and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}</script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def test_no_page_carries_code_the_policy_would_block(app, client, make):
    accounts = make.every_role("almaty")
    make.placement(make.scope["facility"])
    ids = {"facility_id": make.scope["facility"].id}
    pages = [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.rule.startswith(("/api/", "/static", "/vendor", "/healthz"))
        and not rule.endpoint.startswith(DASHBOARD)
    ]
    pages.append(next(r for r in app.url_map.iter_rules() if r.endpoint == "api-docs.openapi_swagger_ui"))
    rendered = 0
    for account in accounts.values():
        for rule in pages:
            resp = client.get(_url(rule, ids), headers=account.auth)
            if resp.status_code != 200 or resp.mimetype != "text/html":
                continue
            assert InlineCode(resp.get_data(as_text=True)).found == [], (rule.rule, account.user.role)
            rendered += 1
    assert rendered >= 15
