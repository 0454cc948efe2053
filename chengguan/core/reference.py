"""Where the reference data shipped with the product lives (see data/SOURCES.md)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def read_text(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")
