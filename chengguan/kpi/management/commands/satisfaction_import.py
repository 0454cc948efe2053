from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengguan.core.errors import DomainError
from chengguan.kpi.satisfaction import satisfaction_import


class Command(BaseCommand):
    help = (
        "导入满意度调查和第三方测评（CSV 或 Excel .xlsx）。列：机构代码、月份（YYYY-MM）、"
        "类型（满意度调查/第三方测评 或 survey/third_party）、得分（0–100）、样本量、来源。"
        "有错误行时不导入任何一行；导入后重算所涉月份和季度的满意度。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--actor", default="", help="记入审计账本的操作人用户名（可选）")

    def handle(self, *args, file: Path, actor: str, **options):
        from chengguan.accounts.models import User

        user = None
        if actor:
            user = User.objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"没有用户 {actor}")
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror}") from None
        try:
            report = satisfaction_import(filename=file.name, content=content, actor=user)
        except DomainError as error:
            raise CommandError(str(error)) from None
        for line in report.errors:
            self.stderr.write(self.style.WARNING(line))
        if not report.applied:
            raise CommandError(f"{len(report.errors)} 处错误，未导入任何一行（改正后重试）")
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {report.imported} 条（替换 {report.replaced} 条），"
                f"月份：{'、'.join(report.months)}；文件 SHA-256 {report.sha256}"
            )
        )
