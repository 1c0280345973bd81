"""Suite-wide: under ``CI=true`` a test that skips because a tool is missing fails instead.

PostgreSQL, Chromium (and Playwright), node and the built front-end are skipped with a
reason when absent, which is convenient on a laptop and dangerous in CI: a run could pass
without running them. In CI (``CI`` set to true/1/yes) such a skip becomes a failure
that names what is missing. Other skips (none today) are left alone.
"""

from __future__ import annotations

import os
import re

import pytest

MISSING = re.compile(r"postgres|chromium|playwright|\bnode\b|npm|not built|not installed|not reachable",
                     re.IGNORECASE)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing_dependency(report) -> str | None:
    """The skip's reason if ``report`` is a skip for a missing tool."""
    if not report.skipped or not isinstance(report.longrepr, tuple):
        return None
    reason = str(report.longrepr[2])
    return reason if MISSING.search(reason) else None


def _fail_in_ci(report) -> None:
    reason = missing_dependency(report)
    if reason is not None and in_ci():
        report.outcome = "failed"
        report.longrepr = f"CI=true and a dependency is missing, so this test cannot be skipped: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_in_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_in_ci(outcome.get_result())
