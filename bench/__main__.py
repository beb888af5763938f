"""Run the benchmarks and print their figures (`make bench`).

Each module exposes ``run() -> dict``. Figures are printed, never asserted: targets live
in docs/benchmarks.md together with the machine and date they were measured on.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from datetime import UTC, datetime

MODULES = [
    "bench.adjudication",
    "bench.batch",
    "bench.audit",
    "bench.api",
    "bench.claims",
    "bench.pages",
    "bench.scale",
    "bench.stp",
]


USAGE = (
    "usage: python -m bench [NAME ...]   (NAME: "
    + ", ".join(m.removeprefix("bench.") for m in MODULES)
    + "; none: all)\n"
    "A benchmark's own options: python -m bench.NAME --help (e.g. bench.stp --claims 600)."
)


def main(argv: list[str]) -> int:
    # An option here is a mistake, not a module: say so before minutes of benchmarking.
    options = [a for a in argv if a.startswith("-")]
    if options:
        print(USAGE)
        return 0 if set(options) <= {"-h", "--help"} else 2
    selected = argv or MODULES
    print(
        f"claimdesk benchmarks — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — "
        f"{platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    results: dict[str, object] = {}
    failed = 0
    for name in selected:
        module_name = name if name.startswith("bench.") else f"bench.{name}"
        started = time.perf_counter()
        try:
            module = importlib.import_module(module_name)
            results[module_name] = module.run()
        except Exception as error:  # report and go on: one broken bench must not hide the others
            failed += 1
            print(f"!! {module_name} failed: {error!r}")
            continue
        print(f"-- {module_name} done in {time.perf_counter() - started:.1f} s")
    print(json.dumps(results, indent=2, default=str))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
