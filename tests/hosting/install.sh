#!/usr/bin/env bash
# Install the hosting tests' venv: minova itself (editable) and the real
# OpenStack services pinned in tests/hosting/requirements.txt, in ONE venv,
# because a hosted app is imported into twistd's own process (and its
# workers), so minova and the project must be importable side by side.
#
#   tests/hosting/install.sh [VENV]      (default: <repo>/.venv-openstack,
#                                         or $MINOVA_OPENSTACK_VENV)
#
# Idempotent and quiet: a stamp in the venv records what it was built from
# (the pins, the constraints, minova's pyproject.toml and the checkout it
# points at); when nothing changed and the services still import, it exits
# at once. Otherwise it rebuilds from scratch, so a half-finished or
# outdated venv never survives. pip's own cache keeps a rebuild short.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${1:-${MINOVA_OPENSTACK_VENV:-$root/.venv-openstack}}
python=${PYTHON:-python3}
probe='import nova, placement, keystone, keystonemiddleware, tempest.lib, minova_tw'
log=${TMPDIR:-/tmp}/minova-hosting-install.$$.log

want=$( { printf '%s\n' "$root" "$("$python" -VV)"
          cat "$here/requirements.txt" "$here/constraints.txt" \
              "$root/pyproject.toml"; } | sha256sum | cut -d' ' -f1)
stamp=$venv/.minova-hosting-stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
        && "$venv/bin/python" -c "$probe" 2>/dev/null; then
    exit 0
fi

case $venv in /|"") echo "install.sh: refusing venv path '$venv'" >&2; exit 2;; esac
rm -rf -- "$venv"
"$python" -m venv "$venv"
# The constraints file fixes every transitive dependency at the versions the
# tests were written against; the five services themselves are pinned in
# requirements.txt.
if ! "$venv/bin/pip" install -q --progress-bar off \
        --disable-pip-version-check -c "$here/constraints.txt" \
        -r "$here/requirements.txt" -e "$root" >"$log" 2>&1; then
    cat "$log" >&2
    echo "install.sh: pip failed; the venv $venv is unfinished" >&2
    exit 1
fi
# cloud-init is not published on PyPI. Its OpenStack metadata reader comes
# from Debian's package: unpacked (not installed) into the venv and put on
# its path, so the test reads nova's metadata API the way a guest does.
# Where apt is missing the cloud-init test says why it skips.
cloudinit=$venv/debian-cloud-init
if command -v apt-get >/dev/null && mkdir -p "$cloudinit" \
        && (cd "$cloudinit" && apt-get download -qq cloud-init) >>"$log" 2>&1 \
        && dpkg-deb -x "$cloudinit"/cloud-init_*.deb "$cloudinit" >>"$log" 2>&1
then
    site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
    echo "$cloudinit/usr/lib/python3/dist-packages" > "$site/debian-cloud-init.pth"
else
    echo "install.sh: no cloud-init from Debian (see $log); its test will skip" >&2
    log=/dev/null  # kept for reading
fi
"$venv/bin/python" -c "$probe"
[ "$log" = /dev/null ] || rm -f "$log"
printf '%s\n' "$want" > "$stamp"
