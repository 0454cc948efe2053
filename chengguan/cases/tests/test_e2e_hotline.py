"""Browser test of the 12319 hotline operator's call: the caller's number, the place found
from what the caller says, the duplicate offered, the caller joined to the earlier case,
and the number revealed only on an explicit click."""

import pytest

from chengguan.web.tests.browser import SCREENSHOTS, browser_test, launch
from conftest import TEST_UNIT, load_territory

SCREENSHOT = SCREENSHOTS / "e2e-hotline.png"
pytestmark = browser_test


@pytest.mark.django_db(transaction=True)
def test_an_operator_takes_two_calls_about_one_problem(live_server, password):
    from django.db import connections
    from playwright.sync_api import expect, sync_playwright

    from chengguan.accounts.services import user_create
    from chengguan.cases.models import Case
    from chengguan.core.models import LedgerEntry
    from chengguan.org.models import Region

    load_territory()
    user_create(
        username="e2e-hotline",
        password=password,
        roles=["operator"],
        region=Region.objects.get(code="4101"),
    )
    street = Region.objects.filter(kind="street", unit_code=TEST_UNIT).order_by("code").first()

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.goto(live_server.url + "/accounts/login/")
            page.fill('input[name="username"]', "e2e-hotline")
            page.fill('input[name="password"]', password)
            page.get_by_role("button", name="登录").click()

            def take_call(phone: str, *, join: bool):
                page.goto(live_server.url + "/cases/report/")
                page.fill('input[name="caller_phone"]', phone)
                page.fill('input[name="caller_name"]', "王先生")
                page.select_option("#id_category", label="06010 暴露垃圾")
                page.fill("#place-text", f"上街区{street.name}路口")
                page.get_by_role("button", name="查找地点").click()
                page.locator("#place-hits button").first.click()
                expect(page.locator("#report-place")).to_contain_text(street.name)
                page.fill('textarea[name="description"]', "路口成堆生活垃圾")
                if join:
                    offer = page.locator("[data-join-case]").first
                    expect(offer).to_be_visible()
                    offer.click()
                else:
                    page.get_by_role("button", name="提交上报").click()
                expect(page.locator("h1")).to_contain_text(f"{TEST_UNIT}-")

            take_call("13800001111", join=False)
            number = page.locator("h1").inner_text().split()[0]
            take_call("13900002222", join=True)  # the second caller: same place, same problem
            expect(page.locator("h1")).to_contain_text(number)
            assert Case.objects.filter(number__startswith=f"{TEST_UNIT}-").count() == 1

            reporters = page.locator("ul.reporters li")
            expect(reporters).to_have_count(2)
            expect(reporters.first).to_contain_text("138****1111")
            expect(page.get_by_text("13800001111")).to_have_count(0)
            reporters.first.get_by_role("button", name="显示完整号码").click()
            expect(reporters.first).to_contain_text("13800001111")
            expect(reporters.first.get_by_role("button", name="显示完整号码")).to_have_count(0)
            assert LedgerEntry.objects.filter(kind="personal.phone_revealed").count() == 1
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
            # The ORM calls above ran in Playwright's thread, on a connection of their own:
            # closed here, so PostgreSQL can drop the test database afterwards.
            connections.close_all()
