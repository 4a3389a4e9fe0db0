"""The site's icons: /favicon.ico answers on every page, signed in or not;
each page links its icons; the installable field app names PNG icons (plain
and maskable, 192 and 512 px) that exist at the size they claim."""

import io
import json

from PIL import Image


def test_favicon_is_served_to_anyone(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200
    assert resp.mimetype == "image/vnd.microsoft.icon"
    icon = Image.open(io.BytesIO(resp.data))
    assert icon.format == "ICO" and {(16, 16), (32, 32)} <= icon.info["sizes"]


def test_pages_link_their_icons(client, make, login):
    for path in ("/login", "/report"):
        html = client.get(path).get_data(as_text=True)
        assert 'rel="icon" href="/favicon.ico"' in html
        assert 'rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png"' in html
    login(make.every_role()["field"])
    html = client.get("/field").get_data(as_text=True)
    assert 'rel="icon" href="/favicon.ico"' in html and 'rel="manifest"' in html
    assert client.get("/static/icons/apple-touch-icon.png").status_code == 200


def test_field_manifest_names_png_icons_of_the_sizes_it_claims(client):
    manifest = json.loads(client.get("/field/manifest.webmanifest").get_data(as_text=True))
    pngs = [i for i in manifest["icons"] if i["type"] == "image/png"]
    wanted = {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    assert {(i["sizes"], i["purpose"]) for i in pngs} == wanted
    for icon in pngs:
        resp = client.get(icon["src"])
        assert resp.status_code == 200, icon["src"]
        image = Image.open(io.BytesIO(resp.data))
        assert "x".join(map(str, image.size)) == icon["sizes"]
        if icon["purpose"] == "maskable":
            # The ground fills the corners, which a mask may show.
            assert image.convert("RGBA").getpixel((1, 1))[3] == 255
