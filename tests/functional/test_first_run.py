"""The README's run command on a checkout: it serves, and leaves git status clean.

A copy of the checkout's ``etc/api.conf``, ``etc/api-paste.ini`` and
``.gitignore`` (ports 0 instead of 8774/8775, which another minova may hold)
is committed to a fresh git repository; ``twistd -n minova --config
etc/api.conf`` runs there exactly as the README says, without
``--pidfile=``. Its state (``state/minova.sqlite``) and pid file must be
where git ignores them.
"""

import os
import re
import shutil
import signal
import subprocess
import time

import requests

from tests.functional.process import (LISTENING, ROOT, START_DEADLINE,
                                      TWISTD, minova_env)


def git(checkout, *args):
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
        + list(args), cwd=checkout, check=True, capture_output=True,
        text=True).stdout


def checkout_copy(path):
    (path / "etc").mkdir(parents=True)
    with open(os.path.join(ROOT, "etc", "api.conf")) as f:
        conf = re.sub(r"(_listen_port = )\d+", r"\g<1>0", f.read())
    (path / "etc" / "api.conf").write_text(conf)
    shutil.copy(os.path.join(ROOT, "etc", "api-paste.ini"), path / "etc")
    shutil.copy(os.path.join(ROOT, ".gitignore"), path)
    git(path, "init", "-q")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "checkout")
    return path


def wait_listening(log_path, proc):
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        found = dict((api, int(port)) for api, _, port
                     in LISTENING.findall(log_path.read_text()))
        if len(found) == 2:
            return found
        assert proc.poll() is None, log_path.read_text()
        time.sleep(0.05)
    raise AssertionError("minova did not listen in time:\n"
                         + log_path.read_text())


def test_the_readme_run_command_keeps_git_status_clean(tmp_path):
    checkout = checkout_copy(tmp_path / "checkout")
    log_path = tmp_path / "twistd.out"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [TWISTD, "-n", "minova", "--config", "etc/api.conf"],
            cwd=checkout, stdout=log, stderr=subprocess.STDOUT,
            env=minova_env())
    try:
        ports = wait_listening(log_path, proc)
        assert (checkout / "twistd.pid").read_text().strip() == str(proc.pid)
        response = requests.get(
            "http://127.0.0.1:%d/v2.1/flavors" % ports["osapi_compute"],
            headers={"X-Auth-Token": "demo:demo"}, timeout=30)
        assert response.status_code == 200
        assert (checkout / "state" / "minova.sqlite").is_file()
        assert git(checkout, "status", "--porcelain",
                   "--untracked-files=all") == ""
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert proc.returncode == 0, log_path.read_text()
