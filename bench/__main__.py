"""``python -m bench [--quick | --smoke | --every] [--out DIR]``: run the matrix, write the tables.

Without a mode flag this is the full run (about 40 minutes on two
cores): every load shape for the reference stack, c=64 keep-alive for the
others. ``--quick`` is one short run per cell at c=64 keep-alive;
``--smoke`` is the test suite's check that bench/ still works (seconds);
``--every`` runs every shape for every stack too (about 2 h 25 min).
"""

import argparse
import json
import os
import sys

from bench import load, matrix, report, runner

DEFAULT_OUT = os.path.join(matrix.ROOT, "bench", "results", "latest")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench",
                                     description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", dest="mode", action="store_const",
                       const="quick")
    group.add_argument("--smoke", dest="mode", action="store_const",
                       const="smoke")
    group.add_argument("--every", dest="mode", action="store_const",
                       const="every",
                       help="every load shape for every stack (about 2 h 25 "
                       "min)")
    parser.add_argument("--out", default=None,
                        help="results directory (default bench/results/"
                        "latest, or bench/results/<mode> for the other "
                        "modes)")
    parser.add_argument("--stacks", nargs="+",
                        choices=[s.name for s in matrix.STACKS])
    parser.add_argument("--hosts", nargs="+",
                        choices=sorted({h.kind for h in matrix.HOSTS}))
    parser.add_argument("--keep-work", action="store_true",
                        help="keep host configs, logs and the database")
    args = parser.parse_args(argv)
    mode_name = args.mode or "full"
    if load.wrk_path() is None:
        parser.exit(2, "wrk is not installed: bench/run.sh installs it "
                    "(apt-get install wrk)\n")
    out = args.out or (DEFAULT_OUT if mode_name == "full" else os.path.join(
        matrix.ROOT, "bench", "results", mode_name))
    records, meta = runner.run(matrix.MODES[mode_name], args.stacks,
                               args.hosts, args.keep_work)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "runs.jsonl"), "w") as f:
        f.writelines(json.dumps(r, sort_keys=True) + "\n" for r in records)
    report.write(records, meta, mode_name, out)
    print(os.path.join(out, "results.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
