"""Browser test of the enforcement officer's journey, registration to archive: register with
a colleague, record evidence, notify a fine above the benchmark (with the reason), the party
waives the statement, the legal reviewer approves, decide on the spot, serve, the bank
confirms the payment, close, archive; every document downloads as a PDF."""

import json
import time
from decimal import Decimal

import pytest

from chengguan.penalties.tests.test_services import _png
from chengguan.web.tests.browser import SCREENSHOTS, browser_test, launch
from conftest import load_territory

SCREENSHOT = SCREENSHOTS / "e2e-penalty.png"
pytestmark = browser_test


def _bank_confirms(url: str, reference: str, amount: Decimal) -> dict:
    """What the bank sends: the signed confirmation of docs/penalties.md."""
    import urllib.request

    from django.conf import settings
    from django.utils import timezone

    from chengguan.intake.domain import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

    body = json.dumps(
        {
            "channel": "bank",
            "reference": reference,
            "transaction_id": "ICBC-E2E-0001",
            "amount": f"{amount:.2f}",
            "paid_at": timezone.now().isoformat(),
        }
    ).encode()
    stamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: signature(settings.CHENGGUAN["PAYMENT_SECRET"], stamp, body),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


@pytest.mark.django_db(transaction=True)
def test_an_officer_takes_a_case_from_registration_to_archive(live_server, password, tmp_path):
    from datetime import date

    from django.db import connections
    from playwright.sync_api import expect, sync_playwright

    from chengguan.accounts.services import user_create
    from chengguan.org.models import Agency, Region
    from chengguan.penalties.models import PenaltyCase, Reviewer
    from chengguan.penalties.tests.conftest import enrol
    from chengguan.powers.models import Power
    from chengguan.workforce.tests.test_id_number import valid_id

    load_territory(grid_units=())
    brigade = Agency.objects.get(code="410105-ZD")
    officer = user_create(
        username="e2e-officer",
        password=password,
        roles=["officer"],
        full_name="陈执法",
        region=Region.objects.get(code="410105"),
        agency=brigade,
    )
    enrol(officer, agency=brigade, name="陈执法")
    enrol(None, agency=brigade, name="王协同")
    reviewer = user_create(
        username="e2e-reviewer",
        password=password,
        roles=["legal_reviewer"],
        full_name="杨法制",
        region=Region.objects.get(code="410105"),
        agency=Agency.objects.get(code="410105-CGJ"),
    )
    Reviewer.objects.create(
        user=reviewer, reviewing_since=date(2019, 1, 1), legal_qualification=True
    )
    power_id = str(Power.objects.get(code="ZF-JS-008").pk)
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(_png())
    connections.close_all()

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1100})
            page = context.new_page()
            page.set_default_timeout(15_000)

            def sign_in(username: str) -> None:
                context.clear_cookies()
                page.goto(live_server.url + "/accounts/login/")
                page.fill('input[name="username"]', username)
                page.fill('input[name="password"]', password)
                page.get_by_role("button", name="登录").click()

            def act(action: str, fill=None, button=None) -> None:
                box = page.locator(f"#action-{action}")
                if fill:
                    fill(box)
                box.locator("button[type=submit]").last.click()
                expect(page.locator("#timeline")).to_be_visible()

            sign_in("e2e-officer")
            page.goto(live_server.url + "/penalties/")
            page.get_by_role("link", name="立案（普通程序）").click()
            page.select_option("#id_power", value=power_id)
            page.fill('input[name="measured:处数"]', "6")
            page.fill("#id_party_name", "王小明")
            page.fill("#id_party_id_number", valid_id("41010519900101123"))
            page.fill("#id_party_address", "金水区花园路1号")
            page.fill("#id_party_phone", "13812345678")
            page.fill("#id_place", "金水区花园路与农业路交叉口")
            page.fill("#id_facts", "当事人在路灯杆上设置广告牌 6 处")
            page.fill("#id_source", "日常巡查发现")
            page.select_option("#id_co_investigators", label="王协同（四级主办）")
            page.get_by_role("button", name="立案", exact=True).click()

            # Registered: the case page with its limits, the 90 days in natural days.
            expect(page.locator("#case-header")).to_contain_text("调查取证")
            expect(page.locator("#limits")).to_contain_text("自然日")
            expect(page.locator("#case-header")).not_to_contain_text("13812345678")
            number = page.locator("#case-header").get_attribute("data-number") or ""

            act(
                "add_evidence",
                lambda box: (
                    box.locator('select[name="kind"]').select_option("audio_visual"),
                    box.locator('input[name="title"]').fill("现场照片"),
                    box.locator('input[name="file"]').set_input_files(str(photo)),
                ),
            )
            expect(page.locator("#evidence")).to_contain_text("现场照片")

            # A fine above the 一般 tier (5,000–10,000) without a reason is refused in place.
            act("notify", lambda box: box.locator('input[name="fine"]').fill("12000"))
            expect(page.locator("#action-notify")).to_contain_text("须书面说明理由")
            act(
                "notify",
                lambda box: (
                    box.locator('input[name="fine"]').fill("12000"),
                    box.locator('textarea[name="departure_reason"]').fill("拒不改正，第二次违法"),
                ),
            )
            expect(page.locator("#case-header")).to_contain_text("已告知")
            act("record_statement", lambda box: box.locator('input[name="waived"]').check())
            act("submit_review")
            expect(page.locator("#case-header")).to_contain_text("法制审核")
            assert page.locator("#action-decide").count() == 0  # no decision before review

            sign_in("e2e-reviewer")
            page.goto(live_server.url + "/penalties/?tab=review")
            page.locator("table a").first.click()
            expect(page.locator("body")).to_contain_text("偏离裁量基准")
            act(
                "review",
                lambda box: (
                    box.locator('input[name="passed"][value="approve"]').check(),
                    box.locator('textarea[name="opinion"]').fill("理由充分，同意按 12000 元处罚"),
                ),
            )
            expect(page.locator("#timeline")).to_contain_text("法制审核")

            sign_in("e2e-officer")
            case = PenaltyCase.objects.get()
            page.goto(f"{live_server.url}/penalties/{case.number}/")
            act("decide", lambda box: box.locator('input[name="party_present"]').check())
            expect(page.locator("#case-header")).to_contain_text("已决定")
            act(
                "serve",
                lambda box: (
                    box.locator('select[name="method"]').select_option("direct"),
                    box.locator('input[name="recipient"]').fill("王小明"),
                ),
            )
            expect(page.locator("#case-header")).to_contain_text("已送达")
            expect(page.locator("#payment")).to_contain_text("12000")

            case.refresh_from_db()
            answer = _bank_confirms(
                live_server.url + "/exchange/payments/confirmations",
                case.payment_reference,
                case.fine,
            )
            assert answer["code"] == 0
            page.reload()
            expect(page.locator("#case-header")).to_contain_text("已执行")
            act("close")
            expect(page.locator("#case-header")).to_contain_text("已结案")
            act("archive")
            expect(page.locator("#case-header")).to_contain_text("已归档")

            # Every document prints: a PDF each, numbered for 金水.
            links = page.locator("#documents a[href$='.pdf']")
            titles = page.locator("#documents").inner_text()
            for title in (
                "立案审批表",
                "行政处罚事先告知书",
                "行政处罚决定书",
                "缴款通知书",
                "送达回证",
            ):
                assert title in titles, title
            assert "郑金水城综罚决字" in titles
            for i in range(links.count()):
                response = page.request.get(live_server.url + links.nth(i).get_attribute("href"))
                assert response.status == 200
                assert response.headers["content-type"] == "application/pdf"
                assert response.body()[:5] == b"%PDF-"
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            assert number in ("", case.number)
        finally:
            browser.close()
