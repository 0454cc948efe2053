"""Browser test of the personnel officer's journey: import the staff list, see the rows it
rejects, import the good ones, read compliance per district, fix a recusal violation."""

import csv
import io

import pytest

from chengguan.web.tests.browser import SCREENSHOTS, browser_test, launch
from chengguan.workforce.tests.test_id_number import valid_id
from chengguan.workforce.tests.test_staff_import import row
from conftest import TEST_UNIT, load_territory

SCREENSHOT = SCREENSHOTS / "e2e-personnel.png"
pytestmark = browser_test


def staff_file(tmp_path):
    rows = [row(n) for n in range(1, 6)]
    rows.append(row(6, 身份证号码="410106199001010001"))  # wrong check digit
    # Posted to the street of their household registration: recusal.
    rows.append(row(7, 户籍街道代码="410106001", 身份证号码=valid_id("41010619900101007")))
    path = tmp_path / "花名册.csv"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.mark.django_db(transaction=True)
def test_a_personnel_officer_imports_checks_and_fixes(live_server, password, tmp_path):
    from django.db import connections
    from playwright.sync_api import expect, sync_playwright

    from chengguan.accounts.services import user_create
    from chengguan.org.models import Region

    load_territory()
    user_create(
        username="e2e-personnel",
        password=password,
        roles=["personnel"],
        region=Region.objects.get(code=TEST_UNIT),
    )
    upload = staff_file(tmp_path)
    connections.close_all()

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
            page.set_default_timeout(10_000)
            page.goto(live_server.url + "/accounts/login/")
            page.fill('input[name="username"]', "e2e-personnel")
            page.fill('input[name="password"]', password)
            page.get_by_role("button", name="登录").click()

            page.get_by_role("link", name="队伍", exact=True).click()
            page.goto(live_server.url + "/workforce/import/")
            page.set_input_files('input[name="file"]', str(upload))
            page.get_by_role("button", name="检查并导入").click()
            rejected = page.locator("#rejected tbody tr")
            expect(rejected).to_have_count(2)
            expect(rejected.first).to_contain_text("校验位")
            expect(page.locator("#rejected")).to_contain_text("回避")

            page.set_input_files('#import-good input[name="file"]', str(upload))
            page.locator("#import-good button").click()
            expect(page.get_by_text("已导入 5 人")).to_be_visible()

            page.goto(live_server.url + "/workforce/compliance/")
            expect(page.locator("body")).to_contain_text("上街区")
            expect(page.locator("canvas").first).to_be_visible()  # the ECharts charts drew

            # Post a person to their household street: refused without a reason, then
            # approved with one.
            page.goto(live_server.url + "/workforce/")
            page.get_by_role("link", name="队员1", exact=True).click()
            posting = page.locator("form#posting")
            posting.locator('[name="agency"]').select_option("410106-ZD")
            posting.locator('[name="street_code"]').fill("410106002")
            posting.locator('[name="start_on"]').fill("2026-12-01")
            posting.locator('button[type="submit"]').click()
            expect(page.locator("body")).to_contain_text("须填写例外审批理由")
            posting = page.locator("form#posting")
            posting.locator('[name="agency"]').select_option("410106-ZD")
            posting.locator('[name="exception_reason"]').fill(
                "街道执法力量不足，经局党组研究临时任职一年"
            )
            posting.locator('button[type="submit"]').click()
            expect(page.locator("body")).to_contain_text("街道执法力量不足")
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
