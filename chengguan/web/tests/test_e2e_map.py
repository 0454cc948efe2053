"""One browser journey: sign in, read the region tree, show 上街区's grids, click to locate.

Runs Debian's chromium through Playwright against pytest-django's live server. The live
server needs committed data (`transactional_db` flushes the database), so the test loads
the demo territory and the grids of 上街区 itself. A screenshot is left in var/e2e-map.png.
"""

import re

from chengguan.web.tests.browser import SCREENSHOTS, browser_test, launch
from conftest import TEST_UNIT, load_territory

SCREENSHOT = SCREENSHOTS / "e2e-map.png"
pytestmark = browser_test


def grids_centre_is_inside_a_grid() -> bool:
    """The map fits 上街区's grids, so a click in its middle should land on one of them."""
    import shapely

    from chengguan.org.models import Grid

    union = shapely.union_all([g.geometry for g in Grid.objects.filter(region_code=TEST_UNIT)])
    minx, miny, maxx, maxy = union.bounds
    return union.contains(shapely.Point((minx + maxx) / 2, (miny + maxy) / 2))


def test_leader_signs_in_and_locates_a_point_on_the_grid_map(
    live_server, transactional_db, password
):
    from playwright.sync_api import expect, sync_playwright

    load_territory()
    assert grids_centre_is_inside_a_grid(), "demo grids changed: pick another point to click"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.set_default_timeout(10_000)
            expect.set_options(timeout=10_000)

            # Not signed in: the console sends us to the login page.
            page.goto(live_server.url + "/")
            expect(page).to_have_url(live_server.url + "/accounts/login/?next=/")
            page.fill('input[name="username"]', "leader")
            page.fill('input[name="password"]', password)
            page.get_by_role("button", name="登录").click()
            expect(page).to_have_url(live_server.url + "/")

            # The region tree shows the city's county-level units.
            page.get_by_role("link", name="区划", exact=True).click()
            tree = page.locator("#region-tree")
            expect(tree).to_contain_text("金水区")
            expect(tree).to_contain_text("上街区")

            # The grid map: wait for the first unit to load, then show 上街区.
            page.get_by_role("link", name="网格地图", exact=True).click()
            status = page.locator("#grid-status")
            expect(status).to_have_attribute("data-count", re.compile(r"^\d+$"))
            page.select_option("#unit-select", TEST_UNIT)
            page.wait_for_function(
                "() => document.querySelector('#unit-select').value === '410106'"
                " && Number(document.querySelector('#grid-status').dataset.count) > 0"
            )
            assert int(status.get_attribute("data-count")) > 0
            expect(status).to_contain_text("个网格")
            assert page.locator(".leaflet-overlay-pane canvas").count() >= 1

            # Click the middle of the visible grids: the platform names the grid's district.
            page.wait_for_timeout(400)  # let fitBounds finish before clicking
            page.locator("#map").click()  # Playwright clicks the element's centre
            result = page.locator("#locate-result")
            page.wait_for_timeout(500)
            page.screenshot(path=str(SCREENSHOT), full_page=True)  # grids, click, result
            expect(result).to_contain_text("上街区")
            assert result.inner_text().startswith(TEST_UNIT)  # the grid code: 410106…
        finally:
            browser.close()
