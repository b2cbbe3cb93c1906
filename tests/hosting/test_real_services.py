"""Real nova 34, placement and keystone from PyPI under ``twistd -n minova``.

Each API is hosted the way an operator names it for uWSGI: ``[DEFAULT]
<name>_wsgi_app = <the project's WSGI entry module>:application`` (or a
``module:factory()``), ``<name>_listen_port = 0``, ``<name>_workers``. The
twistd is the hosting venv's own (tests/hosting/install.sh builds it), so
minova and the hosted project share one interpreter, as they must.

The services are set up once per session (nova's four databases with
nova-manage, keystone's keys and bootstrap, placement's database) by
tests.hosting.services; the tests create rows with unique names so they
can share them. Client-side work that needs OpenStack's own libraries
(tempest.lib's compute clients, nova's objects, cloud-init's reader) runs
with the hosting venv's python.
"""

import signal
import threading
import uuid

import pytest
import requests

from tests.functional.process import WORKER_READY
from tests.functional.workers import Load
from tests.hosting import services
from tests.polling import wait_for

#: One xdist worker runs every hosting test: they share the real services
#: (conftest.py), set up once per worker that runs them.
pytestmark = pytest.mark.xdist_group("hosting")

#: nova's import does its whole process set-up (config, DB, service row):
#: seconds on a quiet machine, much more on a loaded 2-core CI runner.
START_DEADLINE = 180.0
ADMIN = {"X-Auth-Token": "admin-token"}


def api(entry_point, workers=1, port=0):
    """The [DEFAULT] options of one hosted API."""
    return {"listen": "127.0.0.1", "listen_port": port, "workers": workers,
            "wsgi_app": entry_point}


def hosting_config(tmp_path, apis):
    """minova's own config: ``apis`` is {name: api(...)}."""
    default = {"enabled_apis": ",".join(apis),
               "state_path": str(tmp_path / "minova-state")}
    for name, options in apis.items():
        for option, value in options.items():
            default["%s_%s" % (name, option)] = value
    return {"DEFAULT": default}


@pytest.fixture
def host(minova, venv, tmp_path):
    """Start the hosting venv's ``twistd -n minova`` serving ``apis``, with
    ``env`` (the services' OS_*_CONFIG_DIR) in its environment."""

    def start(apis, env):
        return minova(hosting_config(tmp_path, apis), expect=set(apis),
                      env=services.clean_env(**env),
                      twistd=services.venv_bin("twistd"),
                      deadline=START_DEADLINE)
    return start


def compute_and_metadata(nova, workers=1):
    return {name: api(nova.entry_points[name], workers)
            for name in ("osapi_compute", "metadata")}


def max_microversion(server):
    versions = requests.get(server.url("osapi_compute"), timeout=30).json()
    (v21,) = [v for v in versions["versions"] if v["id"] == "v2.1"]
    return v21["version"]


def test_nova_compute_and_metadata_from_one_command(host, nova):
    """What nova 33+ cannot do under uWSGI: both nova APIs, one command."""
    server = host(compute_and_metadata(nova), nova.env)
    assert max_microversion(server) == "2.104"
    response = requests.get(server.url("osapi_compute", "/v2.1/flavors"),
                            headers=ADMIN, timeout=30)
    assert response.status_code == 200, response.text
    assert requests.get(server.url("osapi_compute", "/v2.1/flavors"),
                        headers={"X-Auth-Token": "wrong"},
                        timeout=30).status_code == 401
    # The metadata API answers too: without the proxy's signed headers it
    # refuses, as nova does behind neutron's metadata proxy.
    assert requests.get(server.url("metadata", "/openstack"),
                        timeout=30).status_code in (400, 403, 404)


def test_tempest_compute_clients_at_several_microversions(host, nova):
    server = host(compute_and_metadata(nova), nova.env)
    newest = max_microversion(server)
    microversions = ["2.1", "2.36", "2.90", newest]
    results = services.hosted_python(
        "compute_clients.py", server.url("osapi_compute"), "admin-token",
        ",".join(microversions))
    assert list(results) == microversions
    for microversion, result in results.items():
        assert result["versions"]["v2.1"] == newest, microversion
        assert result["flavor"]["shown"] == result["flavor"]["created"]
        assert result["flavor"]["listed"] and result["flavor"]["detailed"]
        assert result["keypair"]["listed"], microversion
        assert "maxTotalInstances" in result["limits"], microversion
        # No nova-compute service exists, so no zone is listed.
        assert result["zones"] == [], microversion
    # 2.36 dropped the network proxies' limits: tempest checked the shapes.
    assert "maxSecurityGroups" in results["2.1"]["limits"]
    assert "maxSecurityGroups" not in results["2.36"]["limits"]


def test_metadata_serves_an_instance_row_to_cloud_init(host, nova):
    server = host(compute_and_metadata(nova), nova.env)
    instance = services.hosted_python(
        "nova_instance.py", "vm-%s" % uuid.uuid4().hex[:6],
        env=services.clean_env(**nova.env))
    headers = services.metadata_headers(instance["uuid"],
                                        instance["project_id"])
    meta = requests.get(
        server.url("metadata", "/openstack/latest/meta_data.json"),
        headers=headers, timeout=30)
    assert meta.status_code == 200, meta.text
    assert meta.json()["uuid"] == instance["uuid"]
    assert meta.json()["name"] == instance["hostname"]
    forged = dict(headers, **{"X-Instance-ID-Signature": "0" * 64})
    assert requests.get(server.url("metadata", "/openstack"),
                        headers=forged, timeout=30).status_code == 403

    proxy = services.Served(services.MetadataProxy(
        server.url("metadata", "").rstrip("/"), instance["uuid"],
        instance["project_id"]))
    try:
        read = services.hosted_python("cloudinit_reader.py", proxy.url)
    finally:
        proxy.stop()
    if "missing" in read:
        pytest.skip(read["missing"])
    assert read["uuid"] == instance["uuid"]
    assert read["meta"] == {"role": "hosting-test"}
    assert "networkdata" in read["keys"]


def test_keystone_tokens_validated_by_nova(host, nova, keystone):
    """keystone hosted by minova (its factory form) issues a token; nova's
    shipped ``keystone`` pipeline (keystonemiddleware) accepts it and
    refuses a bad one. Two projects: minova must keep their process-global
    CONFs in separate processes."""
    apis = {"identity": api(
                "keystone.server.wsgi:initialize_public_application()",
                port=keystone.port),
            "osapi_compute": api(nova.entry_points["osapi_compute"])}
    server = host(apis, dict(keystone.env, **nova.keystone_env))
    token = services.token(keystone.url)
    url = server.url("osapi_compute", "/v2.1/flavors")
    good = requests.get(url, headers={"X-Auth-Token": token}, timeout=30)
    assert good.status_code == 200, good.text
    bad = requests.get(url, headers={"X-Auth-Token": token[:-4] + "AAAA"},
                       timeout=30)
    assert bad.status_code == 401


def test_placement_hosted(host, placement):
    server = host({"placement": api(placement.entry_points["placement"])},
                  placement.env)
    document = requests.get(server.url("placement"), timeout=30).json()
    (version,) = document["versions"]
    assert version["id"] == "v1.0" and version["min_version"] == "1.0"
    headers = {"X-Auth-Token": "admin",
               "OpenStack-API-Version": "placement %s"
                                        % version["max_version"]}
    provider = str(uuid.uuid4())
    created = requests.post(server.url("placement", "/resource_providers"),
                            json={"name": "rp-" + provider[:8],
                                  "uuid": provider},
                            headers=headers, timeout=30)
    assert created.status_code in (200, 201), created.text
    read = requests.get(server.url(
        "placement", "/resource_providers/" + provider), headers=headers,
        timeout=30)
    assert read.status_code == 200
    assert read.json()["name"] == "rp-" + provider[:8]


def two_workers(host, nova):
    server = host(compute_and_metadata(nova, workers=2), nova.env)
    server.wait_log("minova ready", timeout=START_DEADLINE)
    return server


def test_two_workers_for_nova_compute(host, nova):
    server = two_workers(host, nova)
    pids = set(server.workers("osapi_compute").values())
    assert len(pids) == 2 and server.proc.pid not in pids
    url = server.url("osapi_compute", "/v2.1/flavors")
    for _ in range(20):
        assert requests.get(url, headers=ADMIN, timeout=30).status_code == 200


def test_sighup_under_load_fails_no_request(host, nova):
    server = two_workers(host, nova)
    before = set(server.workers("osapi_compute").values())
    load = Load(server.url("osapi_compute", "/v2.1/flavors"), headers=ADMIN)
    try:
        load.wait_served(20, "flavor lists before the reload")
        server.signal(signal.SIGHUP)
        wait_for(lambda: not before & set(
                     server.workers("osapi_compute").values()),
                 timeout=START_DEADLINE, what="both workers replaced")
        load.wait_served(20, "flavor lists after the reload")
    finally:
        load.stop()
    assert load.failures == []
    ready = [int(pid) for name, _, pid in WORKER_READY.findall(server.log)
             if name == "osapi_compute"]
    assert len(set(ready)) >= 4  # two before, two after


def test_sigterm_drains_a_request_in_flight(host, nova, standin):
    """A request nova is still working on (waiting for neutron) when SIGTERM
    arrives is answered, and then minova exits 0."""
    path = "/neutron/v2.0/security-groups"
    standin.delay[path] = 3.0
    try:
        server = host(compute_and_metadata(nova), nova.env)
        answer = {}

        def slow():
            answer["response"] = requests.get(
                server.url("osapi_compute", "/v2.1/os-security-groups"),
                headers=dict(ADMIN, **{
                    "OpenStack-API-Version": "compute 2.1"}), timeout=60)

        client = threading.Thread(target=slow)
        calls = len(standin.calls)
        client.start()
        wait_for(lambda: any(p.startswith(path) for _, p in
                             standin.calls[calls:]),
                 timeout=30, what="nova calling neutron")
        server.signal(signal.SIGTERM)
        client.join(60)
        assert answer["response"].status_code == 200, answer["response"].text
        assert answer["response"].json() == {"security_groups": []}
        assert server.wait(60) == 0
    finally:
        standin.delay.pop(path, None)
