from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chengguan.core.errors import DomainError
from chengguan.org.domain.projection import LocalProjection
from chengguan.org.domain.surface import read_surface_csv
from chengguan.org.grid_planning import grids_plan, imported_surface
from chengguan.org.models import Region


class Command(BaseCommand):
    help = (
        "规划单元网格（约 1000 户 / 3000 人）。--surface 给出户籍点或普查小区 CSV（lon,lat,households,population）；"
        "不给则用按各区真实人口加权的合成人口分布（演示用）。报告所有超出容差的网格。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--surface", type=Path, help="人口分布 CSV")
        parser.add_argument(
            "--unit", action="append", default=[], help="只规划这些县级单位（可重复）"
        )
        parser.add_argument(
            "--tolerance", type=float, help="容差（比例），默认取设置 GRID_TOLERANCE"
        )
        parser.add_argument("--seed", type=int, default=2017, help="合成人口分布的随机种子")

    def handle(
        self,
        *args,
        surface: Path | None,
        unit: list[str],
        tolerance: float | None,
        seed: int,
        **options,
    ):
        if tolerance is not None and not 0 < tolerance < 10:
            raise CommandError("容差应为大于 0 的比例，例如 0.3")
        units = None
        if unit:
            units = list(Region.objects.filter(code__in=unit, kind__in=["county", "zone"]))
            missing = set(unit) - {u.code for u in units}
            if missing:
                raise CommandError(f"不是县级单位代码：{'、'.join(sorted(missing))}")
        builder, method = None, "synthetic"
        if surface:
            try:
                text = surface.read_text(encoding="utf-8-sig")
                lon0, lat0 = settings.CHENGGUAN.get("CITY_CENTRE", (113.6656, 34.7536))
                projection = LocalProjection(lon0, lat0)
                people = read_surface_csv(text, projection)
            except OSError as exc:
                raise CommandError(f"无法读取 {surface}：{exc.strerror}") from None
            except DomainError as error:
                raise CommandError(str(error)) from None
            lon, lat = projection.to_degrees(people.x, people.y)
            builder = imported_surface(
                (np.asarray(lon), np.asarray(lat), people.population, people.households)
            )
            method = f"surface:{surface.name}"
        report = grids_plan(
            units=units, surface=builder, seed=seed, tolerance=tolerance, method=method
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已规划 {report.grids} 个网格，覆盖 {report.streets} 个街道（乡镇）"
                f"（其中 {report.derived_streets} 个街道边界由规划推算）"
            )
        )
        for code, count in sorted(report.by_unit.items()):
            self.stdout.write(f"  {code}: {count}")
        tol = settings.CHENGGUAN["GRID_TOLERANCE"] if tolerance is None else tolerance
        self.stdout.write(f"超出容差 ±{tol:.0%} 的网格：{len(report.deviations)} 个")
        for line in report.deviations:
            self.stdout.write(f"  {line}")
        for street in report.unplanned:
            self.stderr.write(
                self.style.WARNING(f"无可用边界，未规划：{street}（请先 import_boundaries）")
            )
