"""The inspector app's own pages: the shell behind the login, and the manifest and service
worker a browser needs to install it and open it offline."""

import json

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

pytestmark = pytest.mark.django_db

UNIT = "410106"


def test_the_app_asks_for_the_login_first(client):
    response = client.get("/m/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/m/"


def test_the_app_shell_for_an_inspector(client, user_factory):
    client.force_login(user_factory("inspector", region=UNIT))

    response = client.get("/m/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<link rel="manifest" href="/m/manifest.webmanifest">' in page
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    assert "存草稿" in page and "待发送" in page and "附近任务" in page
    assert "没有监督员岗位" not in page
    assert "csrftoken" in response.cookies  # the script sends it back with each report
    assert "no-cache" in response["Cache-Control"]
    text = json.loads(page.split('id="mobile-text" type="application/json">')[1].split("<")[0])
    assert text["state_queued"] == "待发送"


def test_someone_without_the_inspector_role_is_told_so(client, user_factory):
    client.force_login(user_factory("operator", region=UNIT))

    page = client.get("/m/").content.decode()

    assert "没有监督员岗位" in page


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/m/manifest.webmanifest")  # no login: browsers send no cookie

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "城管巡查"
    assert manifest["start_url"] == manifest["scope"] == "/m/"
    assert manifest["display"] == "standalone"
    sizes = {}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert icon["sizes"] == f"{image.width}x{image.height}"
        sizes.setdefault(icon.get("purpose", "any"), set()).add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes["any"]


def test_the_service_worker_is_served_from_the_apps_scope(client):
    response = client.get("/m/sw.js")  # no login: the browser checks it for updates

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert 'const PAGE = "/m/";' in script
    files = json.loads(script.split("const FILES = ")[1].split(";\n")[0])
    assert "/static/mobile/app.js" in files and "/static/vendor/leaflet/leaflet.js" in files
    assert not [f for f in files if f.startswith("/api/")]
    for url in files:
        assert client.get(url).status_code == 200, url


def test_the_worker_changes_when_the_shell_changes(client, monkeypatch, tmp_path):
    """A new script is what makes phones drop the old cache and fetch the new shell."""
    from chengguan.mobile import views

    before = client.get("/m/sw.js").content
    changed = tmp_path / "app.html"
    changed.write_text(views.APP_TEMPLATE.read_text() + "<!-- changed -->")
    monkeypatch.setattr(views, "APP_TEMPLATE", changed)

    after = client.get("/m/sw.js").content

    assert after != before
