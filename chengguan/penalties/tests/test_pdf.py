"""The printed documents (文书): content, legal items, determinism, fonts, and 人民币大写 (pure).

Text is read back from the PDF with pypdf, but not with `extract_text()`: fpdf2 gives its CID
CFF fonts an embedded encoding CMap, which pypdf 7 does not implement (it falls back to one-byte
codes, so it returns a NUL before each character and garbles every glyph code above 255; pdfium
extracts the same files cleanly). `page_text` instead decodes the shown strings through each
font's /ToUnicode map, which is what viewers use to copy and search. Comparisons are made with
whitespace removed, since lines break anywhere.
"""

import functools
import hashlib
import io
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import ContentStream

from chengguan.penalties import pdf
from chengguan.penalties.pdf import KINDS, document_render, remedies_text, yuan_upper

COMMON = {
    "agency_name": "郑州市金水区城市管理综合行政执法大队",
    "issued_on": date(2026, 3, 5),
    "case_number": "P410105-2026-00012",
    "party_name": "张三",
    "party_kind_label": "公民",
    "party_id": "410105********1234",
    "party_address": "郑州市金水区花园路街道经三路68号院3号楼2单元501室",
    "party_phone": "138****5678",
    "power_name": "擅自占用城市道路摆摊设点经营",
    "place": "金水区花园路与农业路交叉口东南角人行道",
    "occurred_on": "2026年2月20日15时30分",
}
FACTS = (
    "当事人于2026年2月20日15时30分许，未经批准在金水区花园路与农业路交叉口东南角人行道上"
    "摆放经营摊位（长约3米、宽约1.5米，占地面积约4.5平方米）销售水果，执法人员现场责令其改正，"
    "当事人拒不改正。"
)
EVIDENCE = [
    "现场检查（勘验）笔录一份",
    "询问笔录两份（2026年2月21日、2026年2月23日）",
    "现场照片六张、执法记录仪视频资料一段",
]
PROHIBITION = "《郑州市城市市容和环境卫生管理条例》第十八条第一款"
PENALTY_BASIS = "《郑州市城市市容和环境卫生管理条例》第四十六条第（三）项"
REMEDIES = remedies_text("郑州市金水区人民政府", "郑州铁路运输法院")

KIND_FIELDS = {
    "register": {
        "source": "执法巡查发现",
        "facts": FACTS,
        "basis_prohibition": PROHIBITION,
        "registrant_opinion": "当事人涉嫌违法，建议立案调查。",
        "investigators": ["李四（执法证号 41010512345）", "王五（执法证号 41010567890）"],
        "approver_opinion": "同意立案。",
        "approver": "赵六",
        "approved_at": "2026年2月21日",
    },
    "notice": {
        "facts": FACTS,
        "evidence": EVIDENCE,
        "basis_prohibition": PROHIBITION,
        "basis_penalty": PENALTY_BASIS,
        "proposed_penalty": "罚款人民币伍佰元整（¥500.00）",
        "discretion": "一般违法情形",
        "statement_due": "2026年3月10日",
        "hearing_right": True,
        "hearing_due": "2026年3月12日",
        "contact": "李四，0371-12345678",
    },
    "hearing_notice": {
        "hearing_at": "2026年3月20日上午9时30分",
        "hearing_place": "郑州市金水区城市管理局三楼听证室",
        "chair": "孙七",
        "public": True,
    },
    "decision": {
        "facts": FACTS,
        "evidence": EVIDENCE,
        "basis_prohibition": PROHIBITION,
        "basis_penalty": PENALTY_BASIS,
        "penalty": "罚款人民币伍佰元整（¥500.00）",
        "discretion": "《郑州市城市管理行政处罚裁量基准》第12项一般违法情形",
        "performance": "请于收到本决定书之日起十五日内到指定银行缴纳罚款。",
        "bank_name": "中国工商银行郑州金水支行",
        "bank_account": "1702020109001234567",
        "payment_reference": "4101052026000123456",
        "remedies": REMEDIES,
    },
    "service_receipt": {
        "served_document": "行政处罚决定书（郑金城综罚决字〔2026〕第123号）",
        "method": "直接送达",
        "served_at": "2026年3月5日10时",
        "served_place": "郑州市金水区经三路68号",
        "recipient": "张三",
        "server": ["李四", "王五"],
        "note": "当事人当场签收。",
    },
    "payment_notice": {
        "amount": "500.00",
        "amount_upper": "伍佰元整",
        "payment_reference": "4101052026000123456",
        "bank_name": "中国工商银行郑州金水支行",
        "bank_account": "1702020109001234567",
        "payment_due": "2026年3月20日",
    },
}


def fields_for(kind: str, **changes) -> dict:
    word = KINDS[kind][1]
    return {**COMMON, "number": f"郑金城综{word}字〔2026〕第123号", **KIND_FIELDS[kind], **changes}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _to_unicode(font) -> dict[int, str]:
    """A font's /ToUnicode bfchar entries: two-byte code -> text."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    return mapping


def page_text(page) -> str:
    """The text a page shows, in drawing order, whitespace removed."""
    maps = {
        name: _to_unicode(font.get_object()) for name, font in page["/Resources"]["/Font"].items()
    }
    mapping: dict[int, str] = {}
    shown = []
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"Tf":
            mapping = maps[operands[0]]
        elif operator in (b"Tj", b"TJ"):
            strings = operands[0] if operator == b"TJ" else operands
            for string in strings:
                if isinstance(string, str | bytes):
                    raw = getattr(string, "original_bytes", string)
                    shown.extend(
                        mapping.get(int.from_bytes(raw[i : i + 2]), "\ufffd")
                        for i in range(0, len(raw), 2)
                    )
    return squash("".join(shown))


def pages_text(data: bytes) -> list[str]:
    return [page_text(page) for page in PdfReader(io.BytesIO(data)).pages]


def text_of(data: bytes) -> str:
    return "".join(pages_text(data))


_rendered: dict[str, bytes] = {}


def rendered(kind: str) -> bytes:
    """The sample document of `kind`, rendered once per test session (about half a second)."""
    if kind not in _rendered:
        _rendered[kind] = document_render(kind, fields_for(kind))
    return _rendered[kind]


# --- Every kind --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_renders_with_title_number_and_party(kind):
    data = rendered(kind)
    assert data.startswith(b"%PDF")
    text = text_of(data)
    fields = fields_for(kind)
    assert KINDS[kind][0] in text
    assert squash(fields["number"]) in text
    assert fields["party_name"] in text
    assert fields["case_number"] in text
    assert fields["agency_name"] in text


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_page_is_numbered(kind):
    pages = pages_text(rendered(kind))
    for number, text in enumerate(pages, 1):
        assert f"第{number}页共{len(pages)}页" in text


@pytest.mark.parametrize("kind", list(KINDS))
def test_metadata_and_creation_date_come_from_the_fields(kind):
    reader = PdfReader(io.BytesIO(rendered(kind)))
    meta = reader.metadata
    assert meta.creation_date == datetime(2026, 3, 5, tzinfo=timezone(timedelta(hours=8)))
    assert KINDS[kind][0] in meta.title
    assert meta.author == COMMON["agency_name"]


def test_kinds_are_the_agreed_six():
    assert KINDS == {
        "register": ("立案审批表", "立"),
        "notice": ("行政处罚事先告知书", "罚告"),
        "hearing_notice": ("听证告知书", "听告"),
        "decision": ("行政处罚决定书", "罚决"),
        "service_receipt": ("送达回证", "送"),
        "payment_notice": ("缴款通知书", "缴"),
    }


# --- Contents of each document -----------------------------------------------------------------


def test_decision_has_every_item_of_article_59():
    fields = fields_for("decision")
    text = text_of(rendered("decision"))
    # (一) party name and address
    assert fields["party_name"] in text
    assert fields["party_address"] in text
    assert fields["party_id"] in text
    # (二) facts and evidence
    assert squash(fields["facts"]) in text
    for item in fields["evidence"]:
        assert squash(item) in text
    # (三) kind of penalty and its basis
    assert fields["basis_prohibition"] in text
    assert fields["basis_penalty"] in text
    assert fields["penalty"] in text
    assert fields["discretion"] in text
    # (四) performance: manner and time limit, where to pay, late fee (Art. 72)
    assert fields["performance"] in text
    for key in ("bank_name", "bank_account", "payment_reference"):
        assert fields[key] in text
    assert "每日按罚款数额的百分之三加处罚款" in text
    assert "加处罚款的数额不超出罚款的数额" in text
    assert "不得自行收缴罚款" in text
    # (五) remedies: reconsideration within 60 days, lawsuit within 6 months
    assert squash(REMEDIES) in text
    assert "六十日内向郑州市金水区人民政府申请行政复议" in text
    assert "六个月内" in text
    # (六) agency and date, sealed
    assert text.count(fields["agency_name"]) >= 2  # masthead and signature
    assert "2026年3月5日" in text
    assert "（印章）" in text


def test_a_penalty_ending_in_a_full_stop_gets_no_second_one():
    text = text_of(document_render("decision", fields_for("decision", penalty="警告。")))
    assert "作出如下行政处罚：警告。" in text
    assert "。。" not in text


def test_decision_without_a_fine_has_no_late_fee_warning():
    data = document_render("decision", fields_for("decision", penalty="警告"))
    text = text_of(data)
    assert "警告" in text
    assert "加处罚款" not in text


def test_notice_states_the_right_to_state_and_defend_and_hearing_only_when_due():
    with_hearing = text_of(rendered("notice"))
    assert "陈述、申辩" in with_hearing
    assert "第四十五条" in with_hearing
    assert "2026年3月10日前" in with_hearing
    assert "听证" in with_hearing
    assert "五个工作日内" in with_hearing
    assert "2026年3月12日前" in with_hearing
    assert "第六十三条、第六十四条" in with_hearing

    fields = fields_for("notice", hearing_right=False)
    del fields["hearing_due"]
    without = text_of(document_render("notice", fields))
    assert "陈述、申辩" in without
    assert "听证" not in without
    assert "五个工作日" not in without


def test_notice_contains_the_proposed_penalty_facts_and_basis():
    fields = fields_for("notice")
    text = text_of(rendered("notice"))
    for key in ("proposed_penalty", "basis_prohibition", "basis_penalty", "discretion"):
        assert squash(fields[key]) in text
    assert squash(fields["facts"]) in text
    assert "第四十四条" in text


def test_notice_addresses_an_organisation_as_your_unit():
    fields = fields_for(
        "notice", party_name="郑州某某餐饮管理有限公司", party_kind_label="法人或者其他组织"
    )
    text = text_of(document_render("notice", fields))
    assert "你单位涉嫌擅自占用城市道路摆摊设点经营一案" in text


def test_hearing_notice_states_time_place_chair_and_rights():
    text = text_of(rendered("hearing_notice"))
    fields = fields_for("hearing_notice")
    for key in ("hearing_at", "hearing_place", "chair"):
        assert fields[key] in text
    assert "公开举行" in text
    assert "申请回避" in text
    assert "委托一至二人代理" in text
    assert "视为放弃听证权利" in text
    assert "第六十四条" in text


def test_hearing_notice_not_public_gives_the_reason():
    fields = fields_for("hearing_notice", public=False, not_public_reason="涉及个人隐私")
    text = text_of(document_render("hearing_notice", fields))
    assert "因涉及个人隐私" in text
    assert "不公开举行" in text


def test_register_is_a_form_with_all_rows():
    fields = fields_for("register")
    text = text_of(rendered("register"))
    for label in ("案件来源", "简要案情", "承办人意见", "审批意见", "审批人"):
        assert label in text
    for key in ("source", "registrant_opinion", "approver_opinion", "approver", "approved_at"):
        assert squash(fields[key]) in text
    for investigator in fields["investigators"]:
        assert squash(investigator) in text


def test_service_receipt_ticks_the_method_and_keeps_rows_for_handwriting():
    text = text_of(rendered("service_receipt"))
    assert "■直接送达" in text
    assert "□留置送达" in text
    assert "受送达人签名或盖章" in text
    assert "李四、王五" in text
    assert "当事人当场签收" in text

    bare = fields_for("service_receipt")
    for key in ("method", "served_at", "served_place", "recipient", "server", "note"):
        del bare[key]
    bare_text = text_of(document_render("service_receipt", bare))
    for label in ("送达时间", "送达地点", "收件人", "送达人", "□直接送达"):
        assert label in bare_text
    assert "■" not in bare_text
    assert "备注" not in bare_text


def test_payment_notice_has_amount_account_late_fee_and_separation_of_collection():
    fields = fields_for("payment_notice")
    text = text_of(rendered("payment_notice"))
    assert "¥500.00" in text
    assert "人民币伍佰元整" in text
    for key in ("payment_reference", "bank_name", "bank_account", "payment_due"):
        assert fields[key] in text
    assert "百分之三" in text
    assert "第六十七条" in text
    assert "不得自行收缴罚款" in text


def test_optional_fields_are_left_out():
    fields = fields_for("decision")
    for key in ("party_id", "party_address", "party_phone", "discretion", "place", "occurred_on"):
        del fields[key]
    text = text_of(document_render("decision", fields))
    assert "公民身份号码" not in text
    assert "住所" not in text
    assert "联系电话" not in text
    assert "裁量情节" not in text
    assert "违法地点" not in text


# --- Long texts, page breaks, line breaking ----------------------------------------------------


def test_long_decision_flows_over_pages_without_losing_text():
    facts = "".join(f"第{i}段：{FACTS}" for i in range(1, 16))
    data = document_render("decision", fields_for("decision", facts=facts))
    pages = pages_text(data)
    assert len(pages) >= 3
    text = "".join(re.sub(r"第\d+页共\d+页", "", page) for page in pages)
    assert squash(facts) in text
    assert "（印章）" in pages[-1]


def test_long_row_of_a_form_continues_on_the_next_page():
    facts = FACTS * 25
    data = document_render("register", fields_for("register", facts=facts))
    pages = pages_text(data)
    assert len(pages) >= 2
    assert "简要案情（续）" in "".join(pages)


@functools.cache
def _wrapper() -> pdf._Document:
    """A document used only to measure and break lines (fonts load once)."""
    return pdf._Document(needs_fallback=False)


def test_lines_never_start_with_closing_punctuation():
    doc = _wrapper()
    width = 10 * 13 * 25.4 / 72  # ten characters at 13 pt
    text = "一二三四五六七八九十，一二三四五六七八九十。一二三四五六七八九（十）一二"
    lines = doc.wrap(text, 13, width)
    assert "".join(line.text for line in lines) == text
    for line in lines:
        assert line.text[0] not in pdf._NO_START
        assert line.text[-1] not in pdf._NO_END
        assert line.width <= width + 0.01


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet="中华人民共和国行政处罚法，。、；：（）《》“”ab12 .-",
        max_size=120,
    ),
    st.integers(min_value=3, max_value=30),
)
def test_wrapping_keeps_every_character_and_the_width(text, chars):
    doc = _wrapper()
    width = chars * 13 * 25.4 / 72
    lines = doc.wrap(text, 13, width)
    assert "".join(line.text for line in lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert line.width <= width + 0.01 or len(line.text) == 1


# --- Determinism and fonts ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["decision", "service_receipt"])
def test_same_fields_give_the_same_bytes(kind):
    first = document_render(kind, fields_for(kind))
    second = document_render(kind, fields_for(kind))
    assert first == second
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_other_issue_date_gives_other_bytes():
    first = rendered("payment_notice")
    other = document_render(
        "payment_notice", fields_for("payment_notice", issued_on=date(2026, 3, 6))
    )
    assert first != other


def _embedded_fonts(data: bytes) -> list[tuple[str, str]]:
    """(BaseFont, font file key) of every embedded descendant font on every page."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                files = [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor]
                found.append((str(descendant.get_object()["/BaseFont"]), *files))
    return found


def test_the_bundled_font_is_embedded():
    data = rendered("decision")
    assert b"/FontFile3" in data
    fonts = set(_embedded_fonts(data))
    assert fonts == {("/MPDFAA+NotoSerifCJKSC", "/FontFile3")}


def test_the_bundled_font_covers_gb2312_and_the_documents_marks():
    covered = pdf._bundled_cmap()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                char = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            assert ord(char) in covered, char
    for char in "〔〕（）《》“”×÷±°‰№℃—…·■□○●√¥":
        assert ord(char) in covered, char
    assert pdf.FONT_PATH.stat().st_size < 5_000_000


def test_rare_characters_fall_back_to_the_system_font_when_installed():
    fields = fields_for("decision", party_name="王喆堃")
    assert pdf._needs_fallback(fields)
    assert not pdf._needs_fallback(fields_for("decision"))
    data = document_render("decision", fields)
    assert data.startswith(b"%PDF")
    if not pdf.SYSTEM_FONT_PATH.exists():
        pytest.skip("Noto Serif CJK is not installed: rare characters are missing")
    assert "王喆堃" in text_of(data)
    assert {name for name, *_ in _embedded_fonts(data)} == {
        "/MPDFAA+NotoSerifCJKSC",
        "/MPDFAA+NotoSerifCJKSC-System",
    }
    assert data == document_render("decision", fields)
    assert pdf.missing_characters(fields) == ""


def test_without_the_system_font_rare_characters_are_missing_and_reported(monkeypatch):
    monkeypatch.setattr(pdf, "SYSTEM_FONT_PATH", pdf.SYSTEM_FONT_PATH.with_name("absent.ttc"))
    fields = fields_for("decision", party_name="王喆堃")
    assert pdf.missing_characters(fields) == "喆堃"
    data = document_render("decision", fields)
    text = text_of(data)
    assert "当事人：王（公民）" in text
    assert {name for name, *_ in _embedded_fonts(data)} == {"/MPDFAA+NotoSerifCJKSC"}


def test_missing_characters_is_empty_for_gb2312_text_and_names_what_no_font_has():
    assert pdf.missing_characters(fields_for("decision")) == ""
    assert pdf.missing_characters(fields_for("decision", party_name="张三😀")) == "😀"


# --- Required fields ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("key", pdf.COMMON_REQUIRED)
def test_missing_common_key_raises_key_error_with_its_name(kind, key):
    fields = fields_for(kind)
    del fields[key]
    with pytest.raises(KeyError) as error:
        document_render(kind, fields)
    assert error.value.args == (key,)


@pytest.mark.parametrize(
    ("kind", "key"), [(kind, key) for kind, keys in pdf.REQUIRED.items() for key in keys]
)
def test_missing_kind_key_raises_key_error_with_its_name(kind, key):
    fields = fields_for(kind)
    del fields[key]
    with pytest.raises(KeyError) as error:
        document_render(kind, fields)
    assert error.value.args == (key,)


def test_conditional_keys_are_required_when_their_condition_holds():
    fields = fields_for("notice")
    del fields["hearing_due"]
    with pytest.raises(KeyError, match="hearing_due"):
        document_render("notice", fields)
    with pytest.raises(KeyError, match="not_public_reason"):
        document_render("hearing_notice", fields_for("hearing_notice", public=False))


def test_unknown_kind_and_bad_date_are_refused():
    with pytest.raises(ValueError, match="unknown document kind"):
        document_render("summons", fields_for("notice"))
    with pytest.raises(TypeError, match="issued_on"):
        document_render("notice", fields_for("notice", issued_on="2026-03-05"))


# --- 人民币大写 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("500.00", "伍佰元整"),
        ("1234.50", "壹仟贰佰叁拾肆元伍角"),
        ("10000", "壹万元整"),
        ("0.05", "伍分"),
        ("100200.07", "壹拾万零贰佰元零柒分"),
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("0.50", "伍角"),
        ("0.55", "伍角伍分"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("16", "壹拾陆元整"),
        ("100", "壹佰元整"),
        ("101", "壹佰零壹元整"),
        ("110", "壹佰壹拾元整"),
        ("1010", "壹仟零壹拾元整"),
        ("1001", "壹仟零壹元整"),
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("107000.53", "壹拾万柒仟元伍角叁分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("200.10", "贰佰元壹角"),
        ("50000", "伍万元整"),
        ("10010000", "壹仟零壹万元整"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("110010000", "壹亿壹仟零壹万元整"),
        ("100000010000", "壹仟亿零壹万元整"),
        ("1000000000000", "壹万亿元整"),
        ("99999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        ("200000", "贰拾万元整"),
        ("1000.5", "壹仟元伍角"),
    ],
)
def test_yuan_upper(amount, expected):
    assert yuan_upper(Decimal(amount)) == expected


def test_yuan_upper_accepts_int():
    assert yuan_upper(500) == "伍佰元整"


@pytest.mark.parametrize("amount", [Decimal("-1"), Decimal("0.001"), Decimal("NaN")])
def test_yuan_upper_refuses_impossible_amounts(amount):
    with pytest.raises(ValueError):
        yuan_upper(amount)


@pytest.mark.parametrize("amount", [500.0, "500", True])
def test_yuan_upper_refuses_floats_and_text(amount):
    with pytest.raises(TypeError):
        yuan_upper(amount)


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_yuan_upper_never_doubles_zero_and_ends_well(fen):
    text = yuan_upper(Decimal(fen) / 100)
    assert "零零" not in text
    assert not text.startswith("零") or text == "零元整"
    assert text.endswith(("整", "角", "分"))
    assert "零元" not in text or text == "零元整"
