from chengguan.cases.catalogue import category_limits_import
from chengguan.core.management.table_import import TableImportCommand


class Command(TableImportCommand):
    help = (
        "导入本市的案卷类别时限（CSV 或 Excel .xlsx）。列：类型（部件/事件）、小类代码，以及任意"
        "核实时限、立案时限、派遣时限、处置时限、核查时限（如 4工作时、2工作日、3小时）、紧急程度、"
        "立案条件、结案条件。有错误行时不导入任何一行，除非加 --import-good-rows。"
    )
    import_rows = category_limits_import

    def summary(self, report) -> str:
        return f"已更新 {len(report.updated)} 个类别的时限"
