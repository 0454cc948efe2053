"""Printable legal documents (文书) of the administrative-penalty procedure, as PDF.

Font. The documents must print the same everywhere, so the PDF embeds its font instead of
naming one the reader may not have. The project carries `fonts/NotoSerifSC-GB2312.otf`: Noto
Serif CJK SC (SIL Open Font License 1.1) cut down to GB2312 plus the punctuation these texts use.
GB2312 covers every character of the fixed legal wording and nearly all names and addresses, at
about 4 MB instead of the 26 MB collection, and does not depend on what the server has installed.
A serif (宋体-like) face is what such documents are expected to look like. Characters outside
GB2312 (rare name characters such as 喆 or 堃) are taken from the system's Noto Serif CJK when it
is installed; only then is it registered as a fallback, so a document whose text stays inside
GB2312 is byte-for-byte the same whether or not the machine has the system font.
`fonts/README.md` says how the file was built.

Determinism. The SHA-256 of a document goes into the ledger and is checked later, so the same
fields must give the same bytes: the PDF creation date is the issue date (midnight, China
Standard Time), the file /ID is fpdf2's default hash of the content, the font subset prefix is
fixed by fpdf2, and nothing here reads the clock or a random source. The bytes can change with
the fpdf2 or fontTools version (font subsetting, object layout), so a stored hash is to be
checked against the stored file, not against a re-rendering after an upgrade.

Layout. fpdf2 wraps text at spaces, which Chinese does not have, and its character wrapping
knows nothing of the rules that keep a comma from starting a line. The text is therefore broken
into lines here (one token per Chinese character, Latin and digit runs kept whole, 避头尾 rules)
and justified with character spacing, as Chinese official documents are set. Forms are tables
drawn cell by cell, so that a long row can continue on the next page and rows for handwriting
can keep their height. Page numbers are written once the page count is known.
"""

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import TextMode

__all__ = [
    "FONT_PATH",
    "KINDS",
    "document_render",
    "missing_characters",
    "remedies_text",
    "yuan_upper",
]

KINDS: dict[str, tuple[str, str]] = {  # kind -> (title, number word used in document numbers)
    "register": ("立案审批表", "立"),
    "notice": ("行政处罚事先告知书", "罚告"),
    "hearing_notice": ("听证告知书", "听告"),
    "decision": ("行政处罚决定书", "罚决"),
    "service_receipt": ("送达回证", "送"),
    "payment_notice": ("缴款通知书", "缴"),
}

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "NotoSerifSC-GB2312.otf"
# Debian/Ubuntu package fonts-noto-cjk; face 2 of the collection is Noto Serif CJK SC.
SYSTEM_FONT_PATH = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
SYSTEM_FONT_NUMBER = 2

# fpdf2 subsets the font with fontTools on output, whose subsetter logs its glyph lists at INFO:
# kilobytes per document under the project's root level INFO. Quiet unless configured otherwise.
if logging.getLogger("fontTools.subset").level == logging.NOTSET:
    logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

_FAMILY = "NotoSerifSC"
_FALLBACK_FAMILY = "NotoSerifCJKSystem"
_CST = timezone(timedelta(hours=8), "CST")

COMMON_REQUIRED = (
    "agency_name",
    "number",
    "issued_on",
    "case_number",
    "party_name",
    "party_kind_label",
)
REQUIRED: dict[str, tuple[str, ...]] = {
    "register": ("source", "facts", "registrant_opinion", "investigators"),
    "notice": (
        "facts",
        "evidence",
        "basis_prohibition",
        "basis_penalty",
        "proposed_penalty",
        "statement_due",
        "hearing_right",
    ),
    "hearing_notice": ("hearing_at", "hearing_place", "chair", "public"),
    "decision": (
        "facts",
        "evidence",
        "basis_prohibition",
        "basis_penalty",
        "penalty",
        "performance",
        "remedies",
    ),
    "service_receipt": ("served_document",),
    "payment_notice": (
        "amount",
        "amount_upper",
        "payment_reference",
        "bank_name",
        "bank_account",
        "payment_due",
    ),
}

# --- Page geometry (mm) and type sizes (pt) ---------------------------------------------------

_MARGIN_X, _MARGIN_TOP, _MARGIN_BOTTOM = 25.0, 25.0, 25.0
_AGENCY_PT, _TITLE_PT, _BODY_PT, _TABLE_PT, _SMALL_PT = 16.0, 22.0, 13.0, 12.0, 10.5
_LEADING = 1.65  # line height as a multiple of the type size
_PT = 25.4 / 72  # mm per point
_EPS = 0.01  # mm of slack when fitting text, against rounding

# Characters that may not begin a line (避头) and may not end one (避尾).
_NO_START = frozenset("，。、；：？！）】」』》〉〕］｝”’…—·％‰℃,.;:?!)]}%")
_NO_END = frozenset("（【「『《〈〔［｛“‘([{¥￥")
# Latin/digit runs stay whole; ——, …… are one mark each; anything else breaks per character.
_TOKEN = re.compile(r"[!-~]+|——|……| |.", re.DOTALL)


def _bad_break(tokens: list[str], at: int) -> bool:
    """Whether breaking before tokens[at] would start a line with a closing mark or end one
    with an opening mark."""
    return tokens[at][0] in _NO_START or tokens[at - 1][-1] in _NO_END


_LATE_FEE = (
    "到期不缴纳罚款的，根据《中华人民共和国行政处罚法》第七十二条第一款第（一）项的规定，"
    "每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额；"
    "本机关并可以依法申请人民法院强制执行。"
)
_SEPARATION = (
    "根据《中华人民共和国行政处罚法》第六十七条的规定，作出罚款决定的行政机关应当与收缴罚款的"
    "机构分离，除依法当场收缴的罚款外，本机关及其执法人员不得自行收缴罚款。"
    "请勿向执法人员交付现金或者转账。"
)
_NO_SUSPENSION = (
    "根据《中华人民共和国行政处罚法》第七十三条第一款的规定，申请行政复议或者提起行政诉讼的，"
    "行政处罚不停止执行，法律另有规定的除外。"
)


# --- Pure helpers ------------------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def _upper_group(n: int) -> str:
    """0 < n < 10000 in capitals; inner zeros give one 零, trailing zeros none (1010 → 壹仟零壹拾)."""
    out: list[str] = []
    zero = False
    for unit, value in (("仟", 1000), ("佰", 100), ("拾", 10), ("", 1)):
        digit = n // value % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[digit] + unit)
    return "".join(out)


def _upper_integer(n: int) -> str:
    """n > 0 in capitals with 万 and 亿; a gap of zeros across a 万/亿 boundary gives one 零."""
    if n >= 10**8:
        high, low = divmod(n, 10**8)
        text = _upper_integer(high) + "亿"
        if low:
            text += ("零" if low < 10**7 else "") + _upper_integer(low)
        return text
    if n >= 10**4:
        high, low = divmod(n, 10**4)
        text = _upper_group(high) + "万"
        if low:
            text += ("零" if low < 1000 else "") + _upper_group(low)
        return text
    return _upper_group(n)


def yuan_upper(amount: Decimal | int) -> str:
    """An amount of yuan in Chinese financial capitals (人民币大写), as on a 缴款书 or a decision.

    Follows the rules of the People's Bank of China for filling in payment documents: 壹拾 not
    拾, one 零 for a run of zeros inside the number (100200.07 → 壹拾万零贰佰元零柒分), 零 after
    元 when 角 is zero but 分 is not, 整 after 元 when there are no 角 and 分, no 整 after 角
    (1234.50 → 壹仟贰佰叁拾肆元伍角), and no 元 for amounts under one yuan (0.05 → 伍分). Where
    the rules allow either, the shorter form is used (1680.32 → 壹仟陆佰捌拾元叁角贰分).

    Floats are refused because they cannot hold amounts of money exactly.
    """
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"amount must be Decimal or int, not {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite() or value < 0:
        raise ValueError(f"amount must be a finite, non-negative number of yuan: {amount}")
    fen_total = value * 100
    if fen_total != fen_total.to_integral_value():
        raise ValueError(f"amount has a fraction of a fen: {amount}")
    yuan, fen_part = divmod(int(fen_total), 100)
    jiao, fen = divmod(fen_part, 10)
    if yuan == 0 and fen_part == 0:
        return "零元整"
    text = _upper_integer(yuan) + "元" if yuan else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif fen and yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    if not fen_part:
        text += "整"
    return text


def remedies_text(reconsideration_body: str, court: str | None = None) -> str:
    """The usual wording of the remedies item of a decision (Art. 59(5) 行政处罚法), for callers.

    Sixty days for reconsideration (行政复议法 Art. 20) and six months for a lawsuit (行政诉讼法
    Art. 46), both counted from receipt of the decision.
    """
    court_text = f"向{court}" if court else "向人民法院"
    return (
        f"如不服本决定，可以在收到本决定书之日起六十日内向{reconsideration_body}申请行政复议，"
        f"或者在收到本决定书之日起六个月内依法{court_text}提起行政诉讼。"
    )


def _clause(text: str) -> str:
    """A caller's phrase without its closing full stop, to be followed by 。 in a sentence."""
    return text.rstrip().rstrip("。；;.")


def _date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _items(value: Any) -> list[str]:
    """A list field as strings; a single string counts as a list of one."""
    if isinstance(value, str):
        return [value] if value else []
    return [str(item) for item in value if str(item)]


def _pronoun(fields: Mapping[str, Any]) -> str:
    """你 for a citizen, 你单位 for a legal person or other organisation, as the templates say."""
    return "你" if fields["party_kind_label"] == "公民" else "你单位"


def _id_label(fields: Mapping[str, Any]) -> str:
    return "公民身份号码" if fields["party_kind_label"] == "公民" else "统一社会信用代码"


def _texts(value: Any) -> Iterable[str]:
    """Every string inside a field value, to find the characters the document will need."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


# --- Typesetting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    text: str
    width: float  # natural width in mm
    avail: float  # width the line may fill, in mm
    justify: bool  # stretch to `avail` (every line of a paragraph but its last)


@dataclass
class _Row:
    """One row of a two-column form; `height` is a minimum, e.g. room to sign."""

    label: str
    value: str
    height: float = 0.0
    foot: str = ""  # written at the bottom right of the value cell, e.g. 年　月　日


class _Document(FPDF):
    """An A4 page with the project's font, explicit page breaks and Chinese line breaking."""

    def __init__(self, needs_fallback: bool) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(_MARGIN_X, _MARGIN_TOP, _MARGIN_X)
        # Page breaks are placed by `_room`, so rows and signature blocks can be kept together.
        self.set_auto_page_break(False, margin=_MARGIN_BOTTOM)
        self.c_margin = 0
        self.add_font(_FAMILY, fname=FONT_PATH)
        if needs_fallback and SYSTEM_FONT_PATH.exists():
            self.add_font(
                _FALLBACK_FAMILY,
                fname=SYSTEM_FONT_PATH,
                collection_font_number=SYSTEM_FONT_NUMBER,
            )
            # Both faces are named Noto Serif CJK SC and fpdf2 calls every subset MPDFAA+<name>;
            # two fonts of one name in a PDF can be mixed up by viewers that cache by name.
            self.fonts[_FALLBACK_FAMILY.lower()].name = "NotoSerifCJKSC-System"
            self.set_fallback_fonts([_FALLBACK_FAMILY])
        # The subset keeps each glyph's outline unchanged, so the bounding boxes the font
        # file carries stay right; recomputing them (fontTools' default) runs every kept
        # glyph's charstring and is 90 % of a render.
        for font in self.fonts.values():
            font.ttfont.recalcBBoxes = False
        self.set_font(_FAMILY, size=_BODY_PT)
        self.set_draw_color(0)
        self.set_text_color(0)
        self._widths: dict[tuple[str, float], float] = {}

    @property
    def text_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    @property
    def bottom(self) -> float:
        return self.h - _MARGIN_BOTTOM

    # Measuring and breaking

    def _width(self, token: str, size: float) -> float:
        key = (token, size)
        if key not in self._widths:
            self.set_font_size(size)
            self._widths[key] = self.get_string_width(token)
        return self._widths[key]

    def wrap(
        self, text: str, size: float, width: float, first_width: float | None = None
    ) -> list[_Line]:
        """The lines of `text` (hard breaks at newlines) within `width` mm, 避头尾 respected.

        A line that would start with a closing mark, or end with an opening one, gives up its
        last tokens to the next line; the shortfall is spread by justification.
        """
        lines: list[_Line] = []
        avail = width if first_width is None else first_width
        for paragraph in text.split("\n"):
            tokens = _TOKEN.findall(paragraph)
            start = 0
            if not tokens:
                lines.append(_Line("", 0.0, avail, False))
                avail = width
                continue
            while start < len(tokens):
                used, end = 0.0, start
                while end < len(tokens):
                    w = self._width(tokens[end], size)
                    if used + w > avail + _EPS:
                        break
                    used += w
                    end += 1
                if end == start:  # one token wider than the line: cut it by characters
                    token = tokens[start]
                    cut = 1
                    while cut < len(token) and self._width(token[: cut + 1], size) <= avail:
                        cut += 1
                    if cut < len(token):
                        tokens[start : start + 1] = [token[:cut], token[cut:]]
                    end = start + 1
                if end < len(tokens):
                    brk = end
                    while brk > start + 1 and _bad_break(tokens, brk):
                        brk -= 1
                    if not _bad_break(tokens, brk):
                        end = brk
                line = "".join(tokens[start:end]).rstrip(" ")
                lines.append(_Line(line, self._width_of(line, size), avail, end < len(tokens)))
                start = end
                while start < len(tokens) and tokens[start] == " ":
                    start += 1
                avail = width
            avail = width
        return lines

    def _width_of(self, line: str, size: float) -> float:
        return sum(self._width(token, size) for token in _TOKEN.findall(line))

    # Drawing

    def _room(self, height: float) -> None:
        """Start a new page unless `height` mm still fit above the bottom margin."""
        if self.y + height > self.bottom + _EPS:
            self.add_page()

    def draw_line(self, line: _Line, x: float, y: float, size: float, align: str = "J") -> None:
        """One line at (x, y): justified by character spacing, or aligned left/centre/right."""
        self.set_font_size(size)
        spacing = 0.0
        if align == "C":
            x += (line.avail - line.width) / 2
        elif align == "R":
            x += line.avail - line.width
        elif align == "J" and line.justify and len(line.text) > 1:
            spacing = (line.avail - line.width) / (len(line.text) - 1)
            if spacing > size * _PT * 0.5:  # a gap this wide reads worse than a ragged line
                spacing = 0.0
        self.set_char_spacing(spacing * self.k)  # fpdf2 writes it as Tc, in points
        self.set_xy(x, y)
        self.cell(w=max(line.width, 0.1), h=size * _PT * _LEADING, text=line.text)
        self.set_char_spacing(0)

    def paragraph(
        self,
        text: str,
        size: float = _BODY_PT,
        indent: float | None = None,
        hanging: float = 0.0,
        align: str = "J",
        after: float = 0.0,
    ) -> None:
        """A paragraph: first line indented by `indent` mm (two characters unless given),
        following lines by `hanging` mm, e.g. the width of a label such as 收款银行："""
        if indent is None:
            indent = 2 * size * _PT
        lead = size * _PT * _LEADING
        lines = self.wrap(
            text, size, self.text_width - hanging, first_width=self.text_width - indent
        )
        for i, line in enumerate(lines):
            self._room(lead)
            offset = indent if i == 0 else hanging
            self.draw_line(line, self.l_margin + offset, self.y, size, align)
            self.set_xy(self.l_margin, self.y + lead)
        self.set_y(self.y + after)

    def labelled(self, label: str, value: str, size: float = _BODY_PT) -> None:
        """`label：value`, continuation lines aligned under the value."""
        head = f"{label}："
        self.paragraph(head + value, size, indent=0.0, hanging=self._width_of(head, size))

    def heading(self, text: str, size: float = _BODY_PT) -> None:
        """A section heading such as 一、违法事实, set bold by stroking the glyph outlines."""
        lead = size * _PT * _LEADING
        self._room(2 * lead)  # never alone at the foot of a page
        with self.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.18):
            self.paragraph(text, size, indent=0.0)

    def numbered(self, items: list[str], size: float = _BODY_PT) -> None:
        indent = 2 * size * _PT
        for i, item in enumerate(items, 1):
            head = f"{i}．"
            hanging = indent + self._width_of(head, size)
            self.paragraph(head + item, size, indent=indent, hanging=hanging)

    def masthead(self, agency: str, title: str, number: str, case_number: str) -> None:
        """Agency and title centred, then the case number left and the document number right."""
        self.set_y(_MARGIN_TOP)
        for line in self.wrap(agency, _AGENCY_PT, self.text_width):
            self.draw_line(line, self.l_margin, self.y, _AGENCY_PT, "C")
            self.set_y(self.y + _AGENCY_PT * _PT * _LEADING)
        self.set_y(self.y + 2)
        with self.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.3):
            for line in self.wrap(title, _TITLE_PT, self.text_width):
                self.draw_line(line, self.l_margin, self.y, _TITLE_PT, "C")
                self.set_y(self.y + _TITLE_PT * _PT * 1.5)
        self.set_y(self.y + 2)
        y = self.y
        case = self.wrap(f"案件编号：{case_number}", _SMALL_PT, self.text_width)[0]
        num = self.wrap(number, _BODY_PT, self.text_width)[0]
        if case.width + num.width + 10 <= self.text_width:
            # Same baseline: fpdf2 centres a cell's text at half the cell height + 0.3 em.
            drop = (_BODY_PT - _SMALL_PT) * _PT * (_LEADING / 2 + 0.3)
            self.draw_line(case, self.l_margin, y + drop, _SMALL_PT, "L")
            self.draw_line(num, self.l_margin, y, _BODY_PT, "R")
            self.set_y(y + _BODY_PT * _PT * _LEADING)
        else:
            self.draw_line(num, self.l_margin, y, _BODY_PT, "R")
            self.set_y(y + _BODY_PT * _PT * _LEADING)
            self.draw_line(case, self.l_margin, self.y, _SMALL_PT, "R")
            self.set_y(self.y + _SMALL_PT * _PT * _LEADING)
        self.set_y(self.y + 5)
        self.set_x(self.l_margin)

    def signature(self, agency: str, issued_on: date, seal: bool = True) -> None:
        """Agency, seal placeholder and date, right-aligned as a block and kept on one page."""
        texts = [agency] + (["（印章）"] if seal else []) + [_date_text(issued_on)]
        lead = _BODY_PT * _PT * _LEADING
        self.set_y(self.y + lead)
        self._room(lead * len(texts))
        block = min(max(self._width_of(t, _BODY_PT) for t in texts), self.text_width)
        x = self.l_margin + self.text_width - block - 2 * _BODY_PT * _PT
        x = max(x, self.l_margin)
        for text in texts:
            for line in self.wrap(text, _BODY_PT, block):
                self.draw_line(_Line(line.text, line.width, block, False), x, self.y, _BODY_PT, "C")
                self.set_y(self.y + lead)

    def table(self, rows: list[_Row], size: float = _TABLE_PT, label_width: float = 38.0) -> None:
        """A bordered two-column form. A row taller than the rest of the page continues on the
        next one (label repeated with （续）); a row with a minimum height keeps it whole."""
        pad_x, pad_y = 2.0, 1.8
        lead = size * _PT * _LEADING
        value_width = self.text_width - label_width
        x0 = self.l_margin
        self.set_line_width(0.3)
        for row in rows:
            inner = label_width - 2 * pad_x
            label_lines = self.wrap(row.label, size, inner)
            value_lines = self.wrap(row.value, size, value_width - 2 * pad_x) if row.value else []
            foot_h = lead if row.foot else 0.0
            first = True
            while first or value_lines:
                label = label_lines if first else self.wrap(f"{row.label}（续）", size, inner)
                need_lines = max(len(label), len(value_lines))
                height = max(need_lines * lead + 2 * pad_y + foot_h, row.height if first else 0)
                if self.y + height > self.bottom + _EPS:
                    fit = int((self.bottom - self.y - 2 * pad_y - foot_h + _EPS) // lead)
                    at_top = self.y <= _MARGIN_TOP + _EPS
                    short = height <= self.bottom - _MARGIN_TOP and (
                        row.height or len(value_lines) <= 6
                    )
                    if not at_top and (fit < max(2, len(label)) or not value_lines or short):
                        self.add_page()
                        continue
                    part, rest = value_lines[:fit], value_lines[fit:]
                    height = self.bottom - self.y
                else:
                    part, rest = value_lines, []
                y0 = self.y
                self.rect(x0, y0, label_width, height)
                self.rect(x0 + label_width, y0, value_width, height)
                label_y = y0 + (height - len(label) * lead) / 2
                for line in label:
                    self.draw_line(line, x0 + pad_x, label_y, size, "C")
                    label_y += lead
                y = y0 + pad_y
                for i, line in enumerate(part):
                    last = i == len(part) - 1 and not rest
                    self.draw_line(line, x0 + label_width + pad_x, y, size, "L" if last else "J")
                    y += lead
                if row.foot and not rest:
                    foot = self.wrap(row.foot, size, value_width - 4 * pad_x)[0]
                    self.draw_line(
                        foot, x0 + label_width + 2 * pad_x, y0 + height - pad_y - lead, size, "R"
                    )
                self.set_xy(x0, y0 + height)
                value_lines = rest
                first = False
                if rest:
                    self.add_page()
        self.set_line_width(0.2)
        self.set_y(self.y + 4)

    def page_numbers(self) -> None:
        """第 N 页 共 M 页 on every page, once M is known (no placeholder to substitute)."""
        total = self.page
        for number in range(1, total + 1):
            self.page = number
            # fpdf2 emits a font change only when the size differs from its global state, which
            # the last page left at another value: force one on each page.
            self.set_font_size(_SMALL_PT + 1)
            text = f"第 {number} 页 共 {total} 页"
            line = _Line(text, self._width_of(text, _SMALL_PT), self.text_width, False)
            self.draw_line(line, self.l_margin, self.h - 17, _SMALL_PT, "C")
        self.page = total


# --- The six documents -------------------------------------------------------------------------


def _party_lines(doc: _Document, f: Mapping[str, Any]) -> None:
    """Name, identifier, address and telephone of the party (Art. 59(1)), one labelled line each."""
    doc.labelled("当事人", f"{f['party_name']}（{f['party_kind_label']}）")
    if f.get("party_id"):
        doc.labelled(_id_label(f), f["party_id"])
    if f.get("party_address"):
        doc.labelled("住所（地址）", f["party_address"])
    if f.get("party_phone"):
        doc.labelled("联系电话", f["party_phone"])


def _case_phrase(f: Mapping[str, Any]) -> str:
    """你涉嫌擅自占用城市道路经营一案, or without a 案由 just 你涉嫌违法一案."""
    return f"{_pronoun(f)}涉嫌{f.get('power_name') or '违法'}一案"


def _when_where(doc: _Document, f: Mapping[str, Any]) -> None:
    if f.get("occurred_on"):
        doc.labelled("违法时间", f["occurred_on"])
    if f.get("place"):
        doc.labelled("违法地点", f["place"])


def _register(doc: _Document, f: Mapping[str, Any]) -> None:
    rows = [
        _Row("案由", f.get("power_name") or ""),
        _Row("案件来源", f["source"]),
        _Row("当事人", f"{f['party_name']}（{f['party_kind_label']}）"),
        _Row(_id_label(f), f.get("party_id") or ""),
        _Row("住所（地址）", f.get("party_address") or ""),
        _Row("联系电话", f.get("party_phone") or ""),
        _Row("发生时间", f.get("occurred_on") or ""),
        _Row("发生地点", f.get("place") or ""),
        _Row("简要案情", f["facts"]),
        _Row("涉嫌违反的规定", f.get("basis_prohibition") or ""),
        _Row("承办人意见", f["registrant_opinion"]),
        _Row("承办人", "\n".join(_items(f["investigators"]))),
    ]
    rows = [row for row in rows if row.value]
    # The approval is written by hand when the form is printed before it: keep room to sign.
    approver = f.get("approver") or "　" * 6
    approved_at = f.get("approved_at") or "年　　月　　日"
    rows.append(
        _Row(
            "审批意见",
            f.get("approver_opinion") or "",
            height=30.0,
            foot=f"审批人：{approver}　　{approved_at}",
        )
    )
    doc.table(rows)


def _notice(doc: _Document, f: Mapping[str, Any]) -> None:
    you = _pronoun(f)
    doc.paragraph(f"{f['party_name']}：", indent=0.0)
    doc.paragraph(
        f"{_case_phrase(f)}，本机关已调查终结。根据《中华人民共和国行政处罚法》第四十四条的规定，"
        "现将本机关拟作出的行政处罚内容及事实、理由、依据告知如下："
    )
    doc.heading("一、违法事实")
    _when_where(doc, f)
    doc.paragraph(f["facts"])
    doc.heading("二、证据")
    doc.numbered(_items(f["evidence"]))
    doc.heading("三、理由和依据")
    doc.paragraph(
        f"{you}的上述行为违反了{f['basis_prohibition']}的规定。"
        f"依据{f['basis_penalty']}的规定，应当予以行政处罚。"
    )
    if f.get("discretion"):
        doc.labelled("裁量情节", f["discretion"])
    doc.heading("四、拟作出的行政处罚")
    doc.paragraph(f"本机关拟对{you}作出如下行政处罚：{_clause(f['proposed_penalty'])}。")
    doc.heading("五、陈述、申辩的权利")
    doc.paragraph(
        f"根据《中华人民共和国行政处罚法》第四十五条的规定，{you}有权进行陈述和申辩。"
        f"如有陈述、申辩意见，请于{f['statement_due']}前以书面或者口头形式向本机关提出；"
        "逾期未提出的，视为放弃陈述、申辩的权利。本机关不因当事人陈述、申辩而给予更重的处罚。"
    )
    if f["hearing_right"]:
        doc.heading("六、要求听证的权利")
        doc.paragraph(
            f"根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，{you}有权要求举行听证。"
            f"要求听证的，应当在本机关告知后五个工作日内（即{f['hearing_due']}前）提出；"
            "逾期未提出的，视为放弃听证的权利。"
        )
    if f.get("contact"):
        doc.labelled("联系人及联系方式", f["contact"])
    doc.signature(f["agency_name"], f["issued_on"])


def _hearing_notice(doc: _Document, f: Mapping[str, Any]) -> None:
    you = _pronoun(f)
    doc.paragraph(f"{f['party_name']}：", indent=0.0)
    doc.paragraph(
        f"根据{you}提出的听证要求，本机关决定就{_case_phrase(f)}举行听证。现将有关事项通知如下："
    )
    doc.labelled("听证时间", f["hearing_at"])
    doc.labelled("听证地点", f["hearing_place"])
    doc.labelled("听证主持人", f["chair"])
    if f["public"]:
        doc.labelled("听证方式", "公开举行")
    else:
        doc.labelled(
            "听证方式",
            f"因{f['not_public_reason']}，依照《中华人民共和国行政处罚法》第六十四条第（三）项的规定"
            "不公开举行",
        )
    doc.paragraph(
        f"根据《中华人民共和国行政处罚法》第六十四条的规定，{you}在听证中享有下列权利，"
        "并应当遵守下列规定："
    )
    doc.numbered(
        [
            f"{you}认为主持人与本案有直接利害关系的，有权申请回避；申请回避应当在听证开始前提出并说明理由。",
            f"{you}可以亲自参加听证，也可以委托一至二人代理。委托代理人参加听证的，"
            "应当在听证开始前提交由委托人签名或者盖章的授权委托书，载明委托事项及权限。",
            f"{you}可以在听证中就案件事实、证据和法律适用进行申辩和质证，并可以提出新的证据。",
            f"{you}及代理人无正当理由拒不出席听证或者未经许可中途退出听证的，"
            "视为放弃听证权利，本机关终止听证。",
            "参加听证时请携带身份证明（营业执照）及有关证据材料，按时到场。",
        ]
    )
    if f.get("contact"):
        doc.labelled("联系人及联系方式", f["contact"])
    doc.signature(f["agency_name"], f["issued_on"])


def _decision(doc: _Document, f: Mapping[str, Any]) -> None:
    you = _pronoun(f)
    _party_lines(doc, f)
    doc.set_y(doc.y + 2)
    doc.paragraph(f"{_case_phrase(f)}，本机关依法进行了调查，现已审查终结。")
    doc.heading("一、违法事实")
    _when_where(doc, f)
    doc.paragraph(f["facts"])
    doc.heading("二、证据")
    doc.paragraph("以上事实有下列证据证明：")
    doc.numbered(_items(f["evidence"]))
    doc.heading("三、行政处罚的种类和依据")
    doc.paragraph(f"{you}的上述行为违反了{f['basis_prohibition']}的规定。")
    if f.get("discretion"):
        doc.labelled("裁量情节", f["discretion"])
    doc.paragraph(
        f"依据{f['basis_penalty']}的规定，本机关决定对{you}作出如下行政处罚：{_clause(f['penalty'])}。"
    )
    doc.heading("四、行政处罚的履行方式和期限")
    doc.paragraph(f["performance"])
    for key, label in (
        ("bank_name", "收款银行"),
        ("bank_account", "收款账号"),
        ("payment_reference", "缴款识别码"),
    ):
        if f.get(key):
            doc.labelled(label, f[key])
    fine = f.get("fine")
    if fine is None:
        fine = "罚款" in f["penalty"]
    if fine:
        doc.paragraph(_LATE_FEE)
        doc.paragraph(_SEPARATION)
    doc.heading("五、申请行政复议或者提起行政诉讼的途径和期限")
    doc.paragraph(f["remedies"])
    doc.paragraph(_NO_SUSPENSION)
    doc.signature(f["agency_name"], f["issued_on"])


_METHODS = ("直接送达", "留置送达", "邮寄送达", "电子送达")


def _service_receipt(doc: _Document, f: Mapping[str, Any]) -> None:
    method = f.get("method") or ""
    if not method or method in _METHODS:  # boxes to tick by hand, or the method ticked
        method = "　".join(("■" if m == method else "□") + m for m in _METHODS)
    rows = [
        _Row("案由", f.get("power_name") or ""),
        _Row("送达文书名称及文号", f["served_document"]),
        _Row("受送达人", f"{f['party_name']}（{f['party_kind_label']}）"),
        _Row("送达地点", f.get("served_place") or f.get("party_address") or "", height=12.0),
        _Row("送达时间", f.get("served_at") or "", height=12.0),
        _Row("送达方式", method),
        _Row("收件人", f.get("recipient") or "", height=12.0),
    ]
    rows = [row for row in rows if row.value or row.height]
    # Filled in by hand on service, so these rows are always there and tall enough to sign.
    rows.append(_Row("受送达人签名或盖章", "", height=26.0, foot="年　　月　　日"))
    servers = "、".join(_items(f.get("server") or []))
    rows.append(_Row("送达人", servers, height=20.0, foot="年　　月　　日"))
    if f.get("witness") or f.get("method") == "留置送达":
        rows.append(_Row("见证人", f.get("witness") or "", height=20.0, foot="年　　月　　日"))
    if f.get("note"):
        rows.append(_Row("备注", f["note"]))
    doc.table(rows, label_width=44.0)
    doc.paragraph(
        "注：依照《中华人民共和国行政处罚法》第六十一条及《中华人民共和国民事诉讼法》的有关规定送达。",
        size=_SMALL_PT,
        indent=0.0,
    )


def _payment_notice(doc: _Document, f: Mapping[str, Any]) -> None:
    you = _pronoun(f)
    doc.paragraph(f"{f['party_name']}：", indent=0.0)
    basis = (
        f"根据本机关作出的行政处罚决定（{f['decision_number']}），"
        if f.get("decision_number")
        else f"根据本机关对{you}作出的行政处罚决定，"
    )
    doc.paragraph(
        f"{basis}请{you}于{f['payment_due']}前持本通知书到{f['bank_name']}缴纳罚款，"
        "或者通过电子支付系统缴纳。缴款时请提供缴款识别码。",
        after=2.0,
    )
    doc.table(
        [
            _Row("缴款人", f["party_name"]),
            _Row("罚款金额（小写）", f"¥{f['amount']}"),
            _Row("罚款金额（大写）", f"人民币{f['amount_upper']}"),
            _Row("缴款识别码", f["payment_reference"]),
            _Row("收款银行", f["bank_name"]),
            _Row("收款账号", f["bank_account"]),
            _Row("缴款期限", f"{f['payment_due']}前"),
        ]
    )
    doc.paragraph(_LATE_FEE)
    doc.paragraph(_SEPARATION)
    if f.get("contact"):
        doc.labelled("联系人及联系方式", f["contact"])
    doc.signature(f["agency_name"], f["issued_on"])


_LAYOUTS = {
    "register": _register,
    "notice": _notice,
    "hearing_notice": _hearing_notice,
    "decision": _decision,
    "service_receipt": _service_receipt,
    "payment_notice": _payment_notice,
}


def _check(kind: str, fields: Mapping[str, Any]) -> None:
    """Raise KeyError(name) for the first required field that is absent or None."""
    required = [*COMMON_REQUIRED, *REQUIRED[kind]]
    if kind == "notice" and fields.get("hearing_right"):
        required.append("hearing_due")
    if kind == "hearing_notice" and fields.get("public") is False:
        required.append("not_public_reason")
    for key in required:
        if fields.get(key) is None:
            raise KeyError(key)
    if not isinstance(fields["issued_on"], date):
        raise TypeError("issued_on must be a datetime.date")


@cache
def _cmap(path: Path, number: int = 0) -> frozenset[int]:
    """The code points a font file (face `number` of a collection) has; read once per process."""
    if not path.exists():
        return frozenset()
    font = TTFont(path, fontNumber=number, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def _bundled_cmap() -> frozenset[int]:
    return _cmap(FONT_PATH)


def _field_chars(fields: Mapping[str, Any]) -> set[str]:
    return {
        char
        for value in fields.values()
        for text in _texts(value)
        for char in text
        if not char.isspace()
    }


def _needs_fallback(fields: Mapping[str, Any]) -> bool:
    """Whether some field uses a character the bundled font lacks (the fixed wording never does).

    Registering the system font only then keeps documents inside GB2312 identical on machines
    with and without it: fpdf2 embeds every registered font, used or not.
    """
    covered = _bundled_cmap()
    return any(ord(char) not in covered for char in _field_chars(fields))


def missing_characters(fields: Mapping[str, Any]) -> str:
    """The characters of `fields` that would not print on this machine, in code point order.

    fpdf2 leaves out a character no font has (it only logs a warning), and a party's name with a
    character missing is a wrong name on a legal document; callers can refuse or warn first.
    Empty when everything prints.
    """
    covered = _bundled_cmap() | _cmap(SYSTEM_FONT_PATH, SYSTEM_FONT_NUMBER)
    return "".join(sorted(char for char in _field_chars(fields) if ord(char) not in covered))


def document_render(kind: str, fields: Mapping[str, Any]) -> bytes:
    """The PDF bytes of one document. Deterministic: the same fields give the same bytes (set
    fpdf2's creation date from fields["issued_on"] and no random IDs), so its SHA-256 can go in
    the ledger and be checked later.

    `fields` holds display-ready strings and lists; `issued_on` is a `datetime.date`. Required
    keys are COMMON_REQUIRED plus REQUIRED[kind], and `hearing_due` when `hearing_right`,
    `not_public_reason` when `public` is False; a missing one (or None) raises KeyError with its
    name. Missing optional keys are left out, except the rows of the 立案审批表 and 送达回证 that
    are written by hand (审批意见, 送达时间/地点, 收件人, signatures), which stay as blank boxes.
    Optional keys beyond the common ones: decision `fine` (bool; default: whether `penalty`
    mentions 罚款) decides the late-fee and 罚缴分离 paragraphs; payment_notice
    `decision_number`; service_receipt `witness` (a 见证人 row, also shown blank for 留置送达);
    notice, hearing_notice and payment_notice `contact`.

    Raises ValueError for an unknown kind and TypeError when `issued_on` is not a date.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown document kind: {kind!r} (one of {', '.join(KINDS)})")
    _check(kind, fields)
    title, _word = KINDS[kind]
    issued_on: date = fields["issued_on"]

    doc = _Document(needs_fallback=_needs_fallback(fields))

    doc.set_creation_date(datetime.combine(issued_on, time(0, 0), tzinfo=_CST))
    doc.set_title(f"{title} {fields['number']}")
    doc.set_author(fields["agency_name"])
    doc.set_subject(fields["case_number"])
    doc.set_creator("chengguan")
    doc.set_lang("zh-CN")
    doc.add_page()
    doc.masthead(fields["agency_name"], title, fields["number"], fields["case_number"])
    _LAYOUTS[kind](doc, fields)
    doc.page_numbers()
    return bytes(doc.output())
