"""Browser test of the inspector app on a phone: the service worker keeps the app, a report
made with the network cut waits on the phone, and goes out once, and only once, when the
network comes back."""

import io
import re
from datetime import datetime

import pytest
from django.core.signals import request_started
from django.db import connections
from PIL import Image

from chengguan.web.tests.browser import SCREENSHOTS, browser_test, launch
from conftest import TEST_UNIT, load_territory

SCREENSHOT = SCREENSHOTS / "e2e-pwa.png"
DESCRIPTION = "垃圾箱满溢，周边散落"
pytestmark = browser_test


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_report_made_offline_goes_out_once_when_the_network_is_back(live_server, password):
    from playwright.sync_api import expect, sync_playwright

    from chengguan.accounts.services import user_create
    from chengguan.cases.models import Case
    from chengguan.org.models import Grid, Region

    load_territory()
    user_create(
        username="pwa-inspector",
        password=password,
        roles=["inspector"],
        region=Region.objects.get(code=TEST_UNIT),
    )
    point = (
        Grid.objects.filter(region_code=TEST_UNIT)
        .order_by("code")
        .first()
        .geometry.representative_point()
    )

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
                permissions=["geolocation"],
                geolocation={"longitude": point.x, "latitude": point.y, "accuracy": 8},
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.goto(live_server.url + "/m/")
            expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/m/$"))
            page.fill('input[name="username"]', "pwa-inspector")
            page.fill('input[name="password"]', password)
            page.get_by_role("button", name="登录").click()
            expect(page).to_have_url(live_server.url + "/m/")
            page.wait_for_function("navigator.serviceWorker.controller !== null")
            # Chrome's own install check: nothing is missing (a test context is incognito).
            cdp = context.new_cdp_session(page)
            errors = cdp.send("Page.getInstallabilityErrors")
            cdp.detach()
            assert [e["errorId"] for e in errors["installabilityErrors"]] == ["in-incognito"]
            expect(page.locator("#category option")).not_to_have_count(1)  # cached for offline

            # A basement car park: no network. The app still opens, from the worker's cache.
            context.set_offline(True)
            reached: list[str] = []

            def record(environ, **kwargs):
                reached.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")

            request_started.connect(record)
            page.reload()
            expect(page.get_by_role("heading", name="城管巡查")).to_be_visible()
            expect(page.locator("#net")).to_have_text("离线")

            page.get_by_role("link", name="上报").click()
            page.select_option("#category", label="06010 暴露垃圾")
            page.get_by_role("button", name="获取当前位置").click()
            expect(page.locator("#accuracy")).to_have_text("精度约 ±8 米")
            page.set_input_files(
                "#photo-input",
                files=[{"name": "bin.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}],
            )
            expect(page.locator("#photo-list img")).to_have_count(1)
            page.fill("#description", DESCRIPTION)
            page.get_by_role("button", name="提交上报").click()

            expect(page.get_by_role("link", name="待发送 1")).to_be_visible()
            expect(page.locator('#outbox-list [data-state="queued"]')).to_have_count(1)
            assert not Case.objects.filter(description=DESCRIPTION).exists()
            request_started.disconnect(record)
            # Neither the page nor its files came from the server, nor did the report. (Only
            # Chromium's own speculative GETs of the API may slip past the emulated cut.)
            assert [r for r in reached if not r.startswith("GET /api/")] == []

            # Signal again: the queue drains by itself.
            context.set_offline(False)
            expect(page.locator("#outbox-count")).to_have_text("0")
            expect(page.locator("#sent-list a")).to_have_count(1)
            case = Case.objects.get(description=DESCRIPTION)
            expect(page.locator("#sent-list a")).to_have_text(case.number)
            # The phone's time is when the inspector submitted, offline, before it was sent.
            made_at = datetime.fromisoformat(case.events.get(action="reported").data["client_time"])
            assert made_at < case.reported_at
            assert case.photos.count() == 1
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            page.reload()
            page.get_by_role("link", name="待发送").click()
            page.get_by_role("button", name="立即发送").click()
            expect(page.locator("#outbox-count")).to_have_text("0")
            assert Case.objects.filter(description=DESCRIPTION).count() == 1

            # The worst case: the server takes a report but its answer never reaches the
            # phone. The report stays queued; the retry gets the first answer, no new case.
            def answer_lost(route):
                route.fetch()
                route.abort("connectionreset")

            context.route("**/api/cases/with-photos", answer_lost)
            page.get_by_role("link", name="上报").click()
            page.select_option("#category", label="06010 暴露垃圾")
            page.get_by_role("button", name="获取当前位置").click()
            page.fill("#description", "答复丢失的上报")
            page.get_by_role("button", name="提交上报").click()
            expect(page.locator('#outbox-list [data-state="queued"]')).to_contain_text("网络不通")
            lost = Case.objects.get(description="答复丢失的上报")
            context.unroute("**/api/cases/with-photos")
            page.reload()  # the app sends its queue when it starts
            expect(page.locator("#outbox-count")).to_have_text("0")
            expect(page.locator("#sent-list a").first).to_have_text(lost.number)
            assert Case.objects.filter(description="答复丢失的上报").count() == 1
        finally:
            browser.close()
            # The ORM calls above ran in Playwright's context, on a connection of their own.
            connections.close_all()
