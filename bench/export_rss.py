"""``yos-bot export audits`` of the big store's 1,000,000 rows: peak memory and time.

Each format is exported by ``python -m bot export audits --format F --out FILE`` in a
subprocess, started from a small intermediate process that reads its children's peak RSS
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``), so nothing else this run started is
counted. Target: under 100 MiB for CSV, JSON Lines and the streamed JSON array.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.bigstore import TODAY
from bench.results import record
from bot.config import PROJECT_ROOT

LIMIT_MIB = 100.0
FORMATS = ("csv", "jsonl", "json")
_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "elapsed = time.perf_counter() - started\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(done.returncode, elapsed, peak)\n"
    "sys.stderr.write(done.stderr.decode()[-2000:])\n"
)


def main(big: Path, folder: Path) -> bool:
    ok = True
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "YOS_"))},
        "YOS_DB": str(big),
        "YOS_TODAY": TODAY.isoformat(),
        "YOS_LOG_LEVEL": "WARNING",
    }
    for fmt in FORMATS:
        out = folder / f"audits.{fmt}"
        out.unlink(missing_ok=True)
        command = [sys.executable, "-m", "bot", "export", "audits", "--format", fmt]
        done = subprocess.run(
            [sys.executable, "-c", _MEASURE, *command, "--out", str(out)],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        code, elapsed, peak_kib = done.stdout.split()
        mib = int(peak_kib) / 1024
        size = out.stat().st_size / 2**20 if out.exists() else 0.0
        if code != "0":
            print(f"  {fmt:6} failed: {done.stderr.strip().splitlines()[-1:]}")
            ok &= record(
                f"export audits 1M rows --format {fmt}: peak RSS",
                "failed",
                f"< {LIMIT_MIB:.0f} MiB",
                False,
            )
            continue
        print(f"  {fmt:6} {float(elapsed):6.1f} s, peak RSS {mib:7.1f} MiB, {size:6.0f} MiB file")
        ok &= record(
            f"export audits 1M rows --format {fmt}: peak RSS",
            f"{mib:.0f} MiB ({float(elapsed):.1f} s)",
            f"< {LIMIT_MIB:.0f} MiB",
            mib < LIMIT_MIB,
        )
        out.unlink(missing_ok=True)
    return ok
