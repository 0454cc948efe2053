from chengguan.cases.matrix import responsibilities_import
from chengguan.core.management.table_import import TableImportCommand


class Command(TableImportCommand):
    help = (
        "导入责任划分（CSV 或 Excel .xlsx）。列：网格编码 或 区划代码、大类代码 或 类型+小类代码（都空表示全部）、"
        "处置单位代码、优先级、生效日期、失效日期。有错误行时不导入任何一行，除非加 --import-good-rows；"
        "--replace 先删除文件中涉及的网格和区划原有的责任划分。"
    )
    import_rows = responsibilities_import

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--replace", action="store_true", help="先删除文件涉及地点原有的责任划分"
        )

    def import_options(self, options: dict) -> dict:
        return {"replace": options["replace"]}

    def summary(self, report) -> str:
        return f"已导入 {report.created} 条责任划分"
