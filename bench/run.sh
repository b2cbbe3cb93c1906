#!/usr/bin/env bash
# The one command for bench/: install what it needs, then run it.
#   bench/run.sh            full run (25-30 min), results in bench/results/latest/
#   bench/run.sh --every    every shape for every stack (about 1 h 45 min)
#   bench/run.sh --quick    one short run per cell (a few minutes)
#   bench/run.sh --smoke    seconds; what the test suite runs
#   bench/run.sh profile    the py-spy recipe (what bench/profile.sh runs)
# Python: $PYTHON, else .venv/bin/python (made here when missing). wrk comes
# from the distribution; gunicorn, uWSGI, py-spy and matplotlib from the
# project's "bench" extra.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
    [ -x .venv/bin/python ] || python3 -m venv .venv
    PYTHON=.venv/bin/python
fi
"$PYTHON" -m pip install -q -e '.[bench]'
if ! command -v wrk >/dev/null; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk
fi
if [ "${1:-}" = profile ]; then
    shift
    exec "$PYTHON" -m bench.profile "$@"
fi
exec "$PYTHON" -m bench "$@"
