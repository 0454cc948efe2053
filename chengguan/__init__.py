"""Chengguan (城管): urban management and comprehensive law enforcement platform."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("chengguan")
except PackageNotFoundError:  # run from a checkout without installing the project
    __version__ = "0.1.0"
