"""Two hosts whose clocks disagree by 30 s agree on every server's state (issue 16, item 7).

Host "ahead" runs under libfaketime 30 s in the future (Debian's
libfaketime, which .ci/run installs); host "true" keeps the machine's
clock; both serve the compute API on one PostgreSQL or MariaDB database.
Due times and timestamps come from the database server's clock, so a
server created on either host is BUILD for ``build_time`` as seen from
both, is never created in the future, and an action issued on the fast
host ends after ``action_time`` for the other one too. Before the change
the fast host folded the other host's BUILD at once ("skipped BUILD") and
its own servers stayed BUILD or REBOOT 30 s longer for everybody else.
"""

import datetime
import email.utils
import glob
import os

import pytest

from tests.functional import topology
from tests.functional.process import minova_env
from tests.functional.workload import server_body, session
from tests.polling import wait_for

#: Debian's libfaketime, under the machine's multiarch directory.
LIBFAKETIMES = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")
SKEW = 30
#: Long enough that a read right after a create or an action still falls
#: inside it, short enough to keep the test quick.
STEP = 6.0
#: How long past its due time a state may take to show: polling and a
#: loaded machine, far below the skew a host clock would add.
SLACK = 8.0


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _server(http, url, server_id):
    response = http.get("%s/v2.1/servers/%s" % (url, server_id), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["server"]


def _status(http, url, server_id):
    return _server(http, url, server_id)["status"]


def test_hosts_with_skewed_clocks_agree(server_database, minova, tmp_path):
    if not LIBFAKETIMES:
        reason = ("libfaketime is not installed (Debian's package "
                  "faketime; .ci/run installs it)")
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the clock test: " + reason)
        pytest.skip(reason)
    sections = {"minova": {"build_time": STEP, "action_time": STEP}}
    configs = {name: topology.host_config(
        tmp_path, name, address, server_database, workers=1,
        sections=sections)
        for name, address in (("true", topology.ADDRESSES[0]),
                              ("ahead", topology.ADDRESSES[1]))}
    topology.db_sync(tmp_path, configs["true"])
    envs = {"true": minova_env(),
            "ahead": minova_env(LD_PRELOAD=LIBFAKETIMES[0],
                               FAKETIME="+%ds" % SKEW)}
    urls = {name: topology.base_url(minova(
        config, name=name + ".conf", expect=("osapi_compute",),
        env=envs[name])) for name, config in configs.items()}
    http = session("demo:demo")

    # The fast host's clock really is ahead (its Date header says so).
    date = http.get(urls["ahead"] + "/", timeout=10).headers["Date"]
    ahead_by = (email.utils.parsedate_to_datetime(date).replace(tzinfo=None)
                - _utcnow()).total_seconds()
    assert SKEW - 5 < ahead_by < SKEW + 5, date

    for creator, other in (("ahead", "true"), ("true", "ahead")):
        before = _utcnow()
        response = http.post(urls[creator] + "/v2.1/servers",
                             json=server_body("vm-" + creator), timeout=10)
        assert response.status_code == 202, response.text
        server_id = response.json()["server"]["id"]
        # Neither host skips BUILD, and the server was not created in the
        # future by the fast host's clock.
        for name in (creator, other):
            shown = _server(http, urls[name], server_id)
            assert shown["status"] == "BUILD", (name, shown["status"])
            created = datetime.datetime.strptime(shown["created"],
                                                 "%Y-%m-%dT%H:%M:%SZ")
            assert abs((created - before).total_seconds()) < 5, (
                name, shown["created"], before)
        # Both see it ACTIVE once build_time has passed, not SKEW later.
        for name in (other, creator):
            wait_for(lambda: _status(http, urls[name], server_id)
                     == "ACTIVE", STEP + SLACK,
                     "%s to show ACTIVE a server made on %s" % (name,
                                                                creator))

    # A reboot issued on the fast host ends for the other one on time.
    response = http.post(
        "%s/v2.1/servers/%s/action" % (urls["ahead"], server_id),
        json={"reboot": {"type": "SOFT"}}, timeout=10)
    assert response.status_code == 202, response.text
    assert _status(http, urls["true"], server_id) == "REBOOT"
    wait_for(lambda: _status(http, urls["true"], server_id) == "ACTIVE",
             STEP + SLACK, "the reboot issued on the fast host to end")
