"""The nightly report: an HTML page with charts, a JSON summary and a CSV of flagged posts."""

from .build import build_report, write_report

__all__ = ["build_report", "write_report"]
