import hashlib
from pathlib import Path

from chengguan.core.management.table_import import TableImportCommand
from chengguan.workforce.staff_import import staff_import


class Command(TableImportCommand):
    help = (
        "导入执法队伍花名册（CSV 或 Excel .xlsx）。列：姓名、身份证号码、类别（执法人员/协管员）、单位代码、"
        "一线（是/否）、职级、户籍街道代码、执法证号、发证日期、有效期至、任职街道代码、任职起始日期、"
        "例外审批理由（可选）。有错误行时不导入任何一行，除非加 --import-good-rows。"
    )
    import_rows = staff_import

    def handle(self, *args, file: Path, **options):
        # The ledger records which file produced the register; an unreadable file is
        # reported by the shared handler.
        try:
            self.sha256 = hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError:
            self.sha256 = ""
        super().handle(*args, file=file, **options)

    def import_options(self, options: dict) -> dict:
        return {"sha256": self.sha256}

    def summary(self, report) -> str:
        rejected = f"，跳过 {len(report.rejected)} 个错误行" if report.rejected else ""
        return (
            f"已导入 {report.people} 人、执法证件 {report.certificates} 个、"
            f"任职 {report.postings} 条{rejected}"
        )
