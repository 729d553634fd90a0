"""Run every benchmark: python -m bench [name ...]."""

from __future__ import annotations

import sys

from bench import reply_latency, report_path

BENCHMARKS = {"reply_latency": reply_latency.main, "report_path": report_path.main}


def main(names: list[str]) -> int:
    failed = 0
    for name in names or list(BENCHMARKS):
        print(f"== {name}")
        failed += 0 if BENCHMARKS[name]() else 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
