"""Read the tables people upload: CSV (UTF-8 or GB18030, as Excel in China saves it) or
Excel .xlsx (first sheet). One dict per row, keyed by the header; blank rows skipped."""

import csv
import io
from pathlib import PurePath

from chengguan.core.errors import DomainError, gettext_noop


def read_table(filename: str, content: bytes) -> list[dict[str, str]]:
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        return _csv_rows(content)
    if suffix == ".xlsx":
        return _xlsx_rows(content)
    raise DomainError(gettext_noop("只支持 .csv 或 .xlsx 文件：%(name)s"), name=filename)


def _clean(rows: list[dict]) -> list[dict[str, str]]:
    cleaned = []
    for row in rows:
        values = {
            str(k).strip(): ("" if v is None else str(v).strip()) for k, v in row.items() if k
        }
        if any(values.values()):
            cleaned.append(values)
    return cleaned


def csv_text_rows(text: str) -> list[dict[str, str]]:
    """Rows of CSV text as shipped in data/ (a leading BOM is ignored)."""
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(gettext_noop("文件编码无法识别，请另存为 UTF-8 的 CSV 或 .xlsx"))
    return _clean(list(csv.DictReader(io.StringIO(text))))


def _xlsx_rows(content: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises several kinds for a file that is not xlsx
        raise DomainError(gettext_noop("无法读取 Excel 文件，请确认是 .xlsx 格式")) from None
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        return []
    names = [str(h).strip() if h is not None else "" for h in header]
    return _clean([dict(zip(names, values, strict=False)) for values in rows])
