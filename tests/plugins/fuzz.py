"""Totals of fuzzed requests across the session, printed at the end."""

from __future__ import annotations

import pytest

# Fuzzing totals ---------------------------------------------------------------------------------

FUZZ_TALLY = pytest.StashKey[dict]()


class FuzzTally:
    """Requests the fuzz tests sent and the 5xx answers they saw, reported after the run."""

    def __init__(self, config: pytest.Config) -> None:
        self.totals = config.stash.setdefault(FUZZ_TALLY, {"requests": 0, "5xx": 0})

    def count(self, response) -> None:
        self.totals["requests"] += 1
        self.totals["5xx"] += response.status_code >= 500


@pytest.fixture
def fuzz_tally(request) -> FuzzTally:
    return FuzzTally(request.config)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    totals = config.stash.get(FUZZ_TALLY, None)
    if totals:
        terminalreporter.write_line(
            f"fuzz: {totals['requests']} requests, {totals['5xx']} answered 5xx"
        )
