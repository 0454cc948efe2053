"""Browser test of the whole case journey, each step by the person whose job it is:
operator reports → inspector verifies → shift leader registers → dispatcher dispatches →
handler handles → inspector checks → shift leader closes."""

import pytest

from chengguan.web.tests.browser import SCREENSHOTS, browser_test, launch
from conftest import TEST_UNIT, load_territory

SCREENSHOT = SCREENSHOTS / "e2e-case-journey.png"
pytestmark = browser_test


@pytest.mark.django_db(transaction=True)
def test_a_case_goes_from_report_to_close_in_the_browser(live_server, password):
    from playwright.sync_api import expect, sync_playwright

    from chengguan.accounts.services import user_create
    from chengguan.org.models import Agency, Grid, Region

    load_territory()
    city, unit = Region.objects.get(code="4101"), Region.objects.get(code=TEST_UNIT)
    sanitation = Agency.objects.get(code=f"{TEST_UNIT}-DEPT-SAN")
    people = {
        "e2e-operator": ("operator", city, None),
        "e2e-inspector": ("inspector", unit, None),
        "e2e-leader": ("shift_leader", city, None),
        "e2e-dispatcher": ("dispatcher", city, None),
        "e2e-handler": ("handler", unit, sanitation),
    }
    for username, (role, region, agency) in people.items():
        user_create(
            username=username, password=password, roles=[role], region=region, agency=agency
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

            def sign_in(username):
                context = browser.new_context(
                    viewport={"width": 1280, "height": 1000}, locale="zh-CN"
                )
                page = context.new_page()
                page.set_default_timeout(10_000)
                page.goto(live_server.url + "/accounts/login/")
                page.fill('input[name="username"]', username)
                page.fill('input[name="password"]', password)
                page.get_by_role("button", name="登录").click()
                expect(page).to_have_url(live_server.url + "/")
                return page

            # The operator takes a hotline call about exposed garbage.
            page = sign_in("e2e-operator")
            page.get_by_role("link", name="上报", exact=True).click()
            page.select_option("#id_category", label="06010 暴露垃圾")
            page.fill("#id_lon", f"{point.x:.6f}")
            page.fill("#id_lat", f"{point.y:.6f}")
            page.fill('textarea[name="description"]', "路口东北角成堆生活垃圾")
            page.get_by_role("button", name="提交上报").click()
            header = page.locator("h1")
            expect(header).to_contain_text(f"{TEST_UNIT}-")
            number = header.inner_text().split()[0]
            expect(page.locator("[data-status]")).to_have_attribute("data-status", "reported")
            case_url = page.url
            page.context.close()

            def act(username, action, status, fill=None):
                page = sign_in(username)
                page.goto(case_url)
                form = page.locator(f'form[data-action="{action}"]')
                for name, value in (fill or {}).items():
                    form.locator(f'[name="{name}"]').fill(value)
                form.locator('button[type="submit"]').click()
                expect(page.locator("[data-status]")).to_have_attribute("data-status", status)
                return page

            act("e2e-inspector", "verify", "verified").context.close()
            act("e2e-leader", "register", "registered").context.close()
            # The dispatcher sees the suggested agency preselected and dispatches in one click.
            act("e2e-dispatcher", "dispatch", "dispatched").context.close()
            handler = sign_in("e2e-handler")
            handler.goto(live_server.url + "/cases/")
            expect(handler.get_by_text(number)).to_be_visible()
            handler.context.close()
            act(
                "e2e-handler", "handle", "handled", {"feedback": "已清运，现场恢复整洁"}
            ).context.close()
            act("e2e-inspector", "check_pass", "checked").context.close()
            page = act("e2e-leader", "close", "closed")
            expect(page.get_by_text("已清运，现场恢复整洁")).to_be_visible()  # the timeline
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
