"""Browser test of the command dashboard: a leader opens it, the charts and the overdue
list render; a new case is reported and rolled up, and the wall shows it at the next
automatic refresh, without a reload."""

from datetime import timedelta

import pytest

from chengguan.web.tests.browser import SCREENSHOTS, browser_test, launch
from conftest import TEST_UNIT, load_territory

SCREENSHOT = SCREENSHOTS / "e2e-dashboard.png"
pytestmark = browser_test


@pytest.mark.django_db(transaction=True)
def test_a_leader_watches_the_dashboard_refresh(live_server, password):
    from django.core.cache import cache
    from django.db import connections
    from django.utils import timezone
    from playwright.sync_api import expect, sync_playwright

    from chengguan.accounts.services import user_create
    from chengguan.cases.models import Category
    from chengguan.cases.services import case_report
    from chengguan.cases.sweeps import sweep
    from chengguan.kpi.rollups import open_snapshot_refresh, rollup_day
    from chengguan.org.models import Grid, Region

    load_territory()
    cache.clear()
    city = Region.objects.get(code="4101")
    user_create(username="e2e-leader", password=password, roles=["leader"], region=city)
    operator = user_create(
        username="e2e-operator", password=password, roles=["operator"], region=city
    )
    garbage = Category.objects.get(kind="matter", code="06010")
    point = (
        Grid.objects.filter(region_code=TEST_UNIT)
        .order_by("code")
        .first()
        .geometry.representative_point()
    )

    def report(description, at=None):
        return case_report(
            actor=operator,
            category=garbage,
            lon=point.x,
            lat=point.y,
            description=description,
            channel="hotline",
            at=at,
        )

    def roll_up():  # as `manage.py tick` does: the deadline sweep, then the roll-ups
        sweep()
        rollup_day(timezone.localdate())
        open_snapshot_refresh()

    report("今天的垃圾")
    stale = report("三天前的垃圾", at=timezone.now() - timedelta(days=3))  # long overdue
    roll_up()
    connections.close_all()

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1100}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.goto(live_server.url + "/accounts/login/")
            page.fill('input[name="username"]', "e2e-leader")
            page.fill('input[name="password"]', password)
            page.get_by_role("button", name="登录").click()
            expect(page).to_have_url(live_server.url + "/")

            page.goto(live_server.url + "/dashboard/?refresh=2")
            expect(page.locator("h1")).to_contain_text("指挥大屏")
            for chart in ("chart-channels", "chart-categories", "chart-trend", "chart-districts"):
                expect(page.locator(f"#{chart} canvas")).to_be_visible()  # ECharts drew
            expect(page.locator("#heatmap .leaflet-pane").first).to_be_attached()
            expect(page.locator("#tile-reported")).to_have_text("1")
            overdue = page.locator("#overdue-list tbody tr")
            expect(overdue).to_have_count(1)
            expect(overdue.first).to_contain_text(stale.number)
            expect(overdue.first).to_contain_text("已超时")
            district = page.locator(f'#districts tr[data-code="{TEST_UNIT}"]')
            expect(district).to_contain_text("上街区")
            expect(district.locator("td.overdue")).to_have_text("1")
            expect(district.locator("td.overdue a")).to_have_attribute(
                "href", f"/cases/?tab=all&region={TEST_UNIT}&overdue=1"
            )
            expect(page.locator("#staffing tbody tr").first).to_be_visible()

            # A new report, rolled up as the tick would: the next refresh shows it.
            refreshes = int(page.locator("#dashboard").get_attribute("data-refreshes") or 0)
            report("刚刚上报的垃圾")
            roll_up()
            connections.close_all()
            expect(page.locator("#tile-reported")).to_have_text("2", timeout=15_000)
            assert int(page.locator("#dashboard").get_attribute("data-refreshes")) > refreshes
            expect(page.locator("#refresh-error")).to_have_text("")
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            # The overdue case's link opens its page.
            overdue.first.get_by_role("link").click()
            expect(page).to_have_url(live_server.url + f"/cases/{stale.number}/")
        finally:
            browser.close()
