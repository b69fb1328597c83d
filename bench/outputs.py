"""What the web and Word editions add to a build of the default briefing.

    .venv/bin/python bench/outputs.py [RUNS]

Each run is a fresh process (``python -c`` calling ``pipeline.build``), cold (an empty cache:
pandoc reads every section, citeproc runs, the web fonts are subset) or warm (the cache of a
previous build of the same sources, as in watch mode or a rebuild after an edit elsewhere).
Prints the medians of the wall time of ``build`` for the PDF alone and for all three editions,
the difference, and each edition's own writing time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = """
import json, sys, time
from pathlib import Path
from briefing.pipeline import build
kinds = tuple(sys.argv[2].split(","))
start = time.perf_counter()
result = build(Path(sys.argv[1]) / "report", Path(sys.argv[3]) / "report.pdf",
               root=Path(sys.argv[1]), kinds=kinds)
total = time.perf_counter() - start
print(json.dumps({"total": total, **{o.kind: o.seconds for o in result.outputs}}))
"""


def run(kinds: str, cache: str, out: str) -> dict[str, float]:
    env = {**os.environ, "BRIEFING_CACHE_DIR": cache}
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(ROOT), kinds, out],
                          capture_output=True, text=True, check=True, env=env)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r.get(key, 0.0) for r in runs)


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rows = []
    for warm in (False, True):
        for kinds in ("pdf", "pdf,html,docx"):
            runs = []
            for _ in range(count):
                with tempfile.TemporaryDirectory() as cache, \
                        tempfile.TemporaryDirectory() as out:
                    if warm:
                        run(kinds, cache, out)
                    runs.append(run(kinds, cache, out))
            rows.append((warm, kinds, runs))
    print(f"default briefing, medians of {count} runs, each in a fresh process")
    print(f"{'cache':6} {'editions':14} {'build':>7} {'pdf':>7} {'html':>7} {'docx':>7}")
    for warm, kinds, runs in rows:
        print(f"{'warm' if warm else 'cold':6} {kinds:14} {median(runs, 'total'):7.2f} "
              f"{median(runs, 'pdf'):7.2f} {median(runs, 'html'):7.2f} "
              f"{median(runs, 'docx'):7.2f}")
    for warm in (False, True):
        pdf, both = (median(r, "total") for w, _, r in rows if w == warm)
        print(f"{'warm' if warm else 'cold'}: the web and Word editions add {both - pdf:+.2f} s "
              "to the PDF build")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
