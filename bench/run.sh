#!/usr/bin/env bash
# The one command for bench/: install what it needs, then run it.
#   bench/run.sh            full run (about 40 min), results in bench/results/latest/
#   bench/run.sh --every    every shape for every stack (about 2 h 25 min)
#   bench/run.sh --quick    one short run per cell (a few minutes)
#   bench/run.sh --smoke    seconds; what the test suite runs
#   bench/run.sh profile    the py-spy recipe (what bench/profile.sh runs)
#   bench/run.sh affinity   one cell with each host's workers pinned and not
#   bench/run.sh instructions  each host's instructions per request (callgrind)
#   bench/run.sh threads    one cell's CPU and switches, thread by thread
# Python: $PYTHON, else .venv/bin/python (made here when missing). wrk,
# Apache and its mod_wsgi come from the distribution; gunicorn, uWSGI,
# granian, py-spy and matplotlib from the project's "bench" extra. The
# nova stack (real nova 34, hosted) runs from the hosting tests' venv (tests/hosting/install.sh, $MINOVA_OPENSTACK_VENV
# or .venv-openstack) and is set up with their helpers (the "test" extra):
# the "bench" extra goes into that venv too, within its constraints, so
# every host serves nova from the same packages.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
    [ -x .venv/bin/python ] || python3 -m venv .venv
    PYTHON=.venv/bin/python
fi
"$PYTHON" -m pip install -q -e '.[bench,test]'
hosting=${MINOVA_OPENSTACK_VENV:-.venv-openstack}
tests/hosting/install.sh "$hosting"
"$hosting/bin/pip" install -q --disable-pip-version-check \
    -c tests/hosting/constraints.txt -e '.[bench]'
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/apache2 ] || missing+=(apache2)
[ -e /usr/lib/apache2/modules/mod_wsgi.so ] || missing+=(libapache2-mod-wsgi-py3)
command -v valgrind >/dev/null || missing+=(valgrind)
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${missing[@]}"
fi
if [ "${1:-}" = profile ]; then
    shift
    exec "$PYTHON" -m bench.profile "$@"
fi
if [ "${1:-}" = affinity ]; then
    shift
    exec "$PYTHON" -m bench.affinity "$@"
fi
if [ "${1:-}" = threads ]; then
    shift
    exec "$PYTHON" -m bench.threads "$@"
fi
if [ "${1:-}" = instructions ]; then
    shift
    exec "$PYTHON" -m bench.instructions "$@"
fi
exec "$PYTHON" -m bench "$@"
