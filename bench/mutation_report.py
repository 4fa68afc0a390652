"""Summarise `mutmut results --all true`: killed and survived mutants per module."""

import re
import sys
from collections import Counter, defaultdict

LINE = re.compile(r"^\s*(?P<name>[\w.]+)__mutmut_\d+: (?P<status>.+)$")
CAUGHT = {"killed", "timeout"}  # a mutant that hangs the tests is noticed too


def main(path: str) -> int:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    with open(path, encoding="utf-8") as results:
        lines = results.readlines()
    for line in lines:
        match = LINE.match(line)
        if match:
            module = match["name"].rsplit(".", 1)[0]
            counts[module][match["status"].strip()] += 1
    print(f"{'module':32} {'mutants':>8} {'killed':>7} {'survived':>9} {'no tests':>9} {'rate':>6}")
    for module, status in sorted(counts.items()):
        total = sum(status.values())
        caught = sum(status[s] for s in CAUGHT)
        judged = caught + status["survived"] + status["no tests"]
        rate = caught / judged if judged else 0.0
        print(
            f"{module:32} {total:8} {caught:7} {status['survived']:9} "
            f"{status['no tests']:9} {rate:6.1%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
