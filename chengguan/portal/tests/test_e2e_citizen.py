"""Browser test of the citizen's journey on a phone: report a problem with the device's
position and a photo, get a tracking code, follow the case. A screenshot of the tracking
page is left in var/e2e-citizen.png."""

import re

import pytest

from chengguan.portal.tests.conftest import jpeg
from chengguan.web.tests.browser import SCREENSHOTS, browser_test, launch
from conftest import TEST_UNIT, load_territory

SCREENSHOT = SCREENSHOTS / "e2e-citizen.png"
pytestmark = browser_test


@pytest.mark.django_db(transaction=True)
def test_a_citizen_reports_from_a_phone_and_follows_the_case(live_server):
    from playwright.sync_api import expect, sync_playwright

    from chengguan.cases.models import Case
    from chengguan.org.models import Grid

    load_territory()
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
                geolocation={"latitude": point.y, "longitude": point.x, "accuracy": 10},
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            expect.set_options(timeout=10_000)

            page.goto(live_server.url + "/public/report/")
            page.locator("#category-search").fill("垃圾")
            page.get_by_text("暴露垃圾", exact=True).click()
            page.get_by_role("button", name="使用当前位置").click()
            expect(page.locator("#place")).to_contain_text("上街区")
            page.fill('textarea[name="description"]', "小区门口路边堆着几袋垃圾")
            page.set_input_files(
                'input[name="photos"]',
                files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}],
            )
            expect(page.locator("#photo-count")).to_contain_text("1")
            page.get_by_role("button", name="提交").click()

            code = page.locator("#tracking-code")
            expect(code).to_have_attribute("data-code", re.compile(r"^[2-9A-HJKMNP-Z]{10}$"))
            tracking_code = code.get_attribute("data-code")
            expect(page.get_by_text("请妥善保存跟踪码", exact=False)).to_be_visible()

            page.get_by_role("link", name="查看办理进度").click()
            expect(page.locator(".status")).to_contain_text("待核实")
            expect(page.locator("body")).to_contain_text(tracking_code)
            photo = page.locator(".photos img")
            photo.scroll_into_view_if_needed()
            expect(photo).to_have_js_property("complete", True)
            assert photo.evaluate("img => img.naturalWidth") == 64  # served through the code
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()

    # The ORM only outside Playwright's event loop: inside it, Django would open a second
    # connection that outlives the test (PostgreSQL then cannot drop the test database).
    case = Case.objects.get(reporters__tracking_code=tracking_code)
    assert case.status == "reported" and case.channel == "web"
    assert case.photos.count() == 1 and abs(case.lon - point.x) < 1e-5
