import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengguan.org.services import boundaries_import


class Command(BaseCommand):
    help = (
        "导入县级或街道边界（GeoJSON FeatureCollection，WGS84 经纬度，"
        "properties.adcode 或 properties.code 为区划代码）。逐个校验几何，报告每个问题要素；"
        "有问题要素时以非零退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--level", choices=["county", "street"], required=True)
        parser.add_argument(
            "--repair", action="store_true", help="自动修复无效多边形（make_valid）后导入"
        )

    def handle(self, *args, file: Path, level: str, repair: bool, **options):
        try:
            collection = json.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror}") from None
        except ValueError as exc:
            raise CommandError(f"{file} 不是有效的 JSON：{exc}") from None
        if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
            raise CommandError(f"{file} 不是 GeoJSON FeatureCollection")
        report = boundaries_import(
            features=collection.get("features") or [], level=level, repair=repair
        )
        self.stdout.write(
            f"已导入 {len(report.imported)} 个边界：{'、'.join(report.imported) or '无'}"
        )
        for problem in report.problems:
            self.stderr.write(self.style.WARNING(problem))
        rejected = [p for p in report.problems if not p.endswith("已自动修复")]
        if rejected:
            raise CommandError(f"{len(rejected)} 个要素未导入，见上")
