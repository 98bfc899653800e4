"""Run every benchmark in ``bench/`` and write ``bench/RESULTS.md``.

Each ``bench_*.py`` prints its figures next to the baseline it measured in the same run;
this runner records the machine (cores, memory), the date and each benchmark's output.
``bench_latency.py`` runs once per kind of request (a presence, a meal, a correction); each
run's two goal lines (the goal of issue 24 with what missed, CPU per request against its
targets) go to the summary.
``BENCH_QUICK=1`` runs the smaller sizes (a smoke run, not figures to quote).

What follows ``NOTES_MARKER`` in ``RESULTS.md`` is written by hand (measurements of a change
against its baseline, profiles of what is left) and kept as it is: a run rewrites only the
part above it.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
NOTES_MARKER = "<!-- Hand-written notes below: bench/run_all.py keeps them. -->"
#: bench_latency's runs after its presence run: a single meal and a single correction at the
#: same rate (issue 24), each a section and a goal line of its own
LATENCY_KINDS = (["--kind", "meal"], ["--kind", "correction"])
FULL_ARGS: dict[str, list[str]] = {
    "bench_rules.py": ["--n", "300000"],
    "bench_close.py": ["--children", "60000"],
    "bench_ingest.py": ["--records", "100000"],
    # a server that cannot hold 500 req/s stops the run (saturated) before its pool runs dry
    "bench_latency.py": ["--rate", "500", "--seconds", "20", "--max-outstanding", "150"],
    "bench_portal.py": ["--parents", "50", "--requests", "20"],
    "bench_request_cpu.py": ["--requests", "600", "--rounds", "3"],
}
QUICK_ARGS: dict[str, list[str]] = {
    "bench_rules.py": ["--n", "20000"],
    "bench_close.py": ["--children", "2000"],
    "bench_ingest.py": ["--records", "10000"],
    "bench_latency.py": ["--rate", "20", "--seconds", "5", "--baseline-seconds", "3"],
    "bench_portal.py": ["--parents", "10", "--requests", "3", "--think-ms", "200"],
    "bench_request_cpu.py": ["--requests", "100", "--rounds", "1"],
}
TIMEOUT_SECONDS = 3600
#: where the profile behind a missed goal is written up
WHY = {
    "bench_rules.py": 'services/billing/README.md, rules section "Performance"',
    "bench_close.py": 'services/billing/README.md, "Tests and benchmark"',
    "bench_ingest.py": 'services/attendance/README.md, "Benchmark"',
    "bench_latency.py": "the goal line names what missed; CPU per request against issue 24's "
    "targets on its `goal, CPU per` line; `bench_latency.py --profile DIR` writes both "
    "servers' cProfile",
    "bench_portal.py": "CPU per page printed above (portal and services processes)",
    "bench_request_cpu.py": "`bench_request_cpu.py --profile DIR` writes the server's cProfile",
}


def machine() -> str:
    meminfo = Path("/proc/meminfo")
    total = "unknown"
    if meminfo.exists():
        first = meminfo.read_text().splitlines()[0].split()
        total = f"{int(first[1]) / 1024 / 1024:.1f} GiB"
    return (
        f"{os.cpu_count()} cores, {total} memory, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def run(script: Path, args: list[str]) -> tuple[str, float, int]:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    output = completed.stdout + (f"\n[stderr]\n{completed.stderr}" if completed.returncode else "")
    return output.strip(), time.perf_counter() - started, completed.returncode


def runs(sizes: dict[str, list[str]]) -> list[tuple[Path, list[str], str]]:
    """Each run: the script, its arguments and its label (the script's name, and the kind of
    bench_latency's runs after the first)."""
    found = []
    for script in sorted(HERE.glob("bench_*.py")):
        args = sizes.get(script.name, [])
        found.append((script, args, script.stem))
        if script.name == "bench_latency.py":
            found += [(script, [*args, *kind], f"{script.stem} {' '.join(kind)}")
                      for kind in LATENCY_KINDS]  # fmt: skip
    return found


def kept_notes(results: Path) -> str:
    """The hand-written part of ``results``, from ``NOTES_MARKER`` on (the marker alone when
    there is none yet)."""
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    at = text.find(NOTES_MARKER)
    return text[at:] if at >= 0 else NOTES_MARKER + "\n"


def main() -> int:
    quick = os.environ.get("BENCH_QUICK") == "1"
    sizes = QUICK_ARGS if quick else FULL_ARGS
    sections = [
        "# Benchmark results",
        "",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- machine: {machine()}",
        f"- mode: {'quick (smoke sizes)' if quick else 'full sizes'}",
        "",
        "Each figure stands next to its baseline measured in the same run.",
    ]
    failures = 0
    goals: list[str] = []
    body: list[str] = []
    for script, args, label in runs(sizes):
        print(f"running {script.name} {' '.join(args)}", flush=True)
        output, seconds, code = run(script, args)
        failures += code != 0
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        for line in output.splitlines():
            if "goal" in line.lower():
                missed = "not met" in line.lower()
                why = f" — why: {WHY.get(script.name, script.name)}" if missed else ""
                goals.append(f"- `{label}`: {line.strip()}{why}")
        body += [
            "",
            f"## {label}",
            "",
            f"`{script.name} {' '.join(args)}` — {status}, {seconds:.0f} s",
            "",
            "```",
            output,
            "```",
        ]
        print(output, flush=True)
    sections += ["", "## Goals", "", *(goals or ["- (no goal lines printed)"]), *body]
    results = HERE / "RESULTS.md"
    results.write_text("\n".join(sections) + "\n\n" + kept_notes(results), encoding="utf-8")
    print(f"wrote {HERE / 'RESULTS.md'}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
