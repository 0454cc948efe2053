from django.core.management.base import BaseCommand, CommandError

from chengguan.core.services import ledger_verify


class Command(BaseCommand):
    help = "校验审计账本哈希链：完整时退出码 0；发现篡改时指出第一条问题记录并以非零退出"

    def handle(self, *args, **options):
        report = ledger_verify(files=True)
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"账本完整：共 {report.checked} 条记录，链尾 #{report.head_seq} {report.head_hash[:16]}…；"
                    f"已核对 {report.files_checked} 个存档文件"
                )
            )
            return
        if report.problem is None:
            raise CommandError(
                f"账本链完整，但存档文件与账本记录的哈希不符（{len(report.file_problems)} 个）：\n"
                + "\n".join(report.file_problems[:50])
            )
        problem = report.problem
        raise CommandError(
            f"账本被篡改：第一条问题记录 #{problem.seq}：{problem.reason}（此前 {report.checked} 条完好）"
        )
