"""Shared by the compute API's functional tests: its config, an HTTP client, test data.

``compute_config`` serves the compute API only (noauth2, SQLite under the
test's tmp_path, short build and action times); ``Client`` talks HTTP to
its ``/v2.1`` with one token and microversion (conftest's ``compute`` and
``start_compute`` fixtures hand out Client factories on a running minova).
``fault`` reads nova's JSON fault. ``cli_env`` is the environment the
``openstack`` CLI (``OPENSTACK_CLI``) runs in; ``cli_session`` runs
several of its commands in one process.
"""

import json
import os
import subprocess
import sys
import time

import requests

from tests.functional.process import base_config

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
PUBLIC_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lH"
    "BQdW5aepQTS8S8XIUvQwK1nATmgOZlNeUyoVk1jm6PXnkk9Q0eWHgCxO2Iw5qSPkxzaTjqw"
    "LkBwGL6fy5uKmLRyYa8d20OH8XeUbtQTJpdLHGBiGqs0pnRGn9XjwWEbsKNU9cYGpI8Qdh9"
    "j5iDmy/iLpG3Qw9kpWP8sBmrWZHbaLaXtQtDk+MUXJvhjWXcMgErLwrmjuvQeHKPeONsT/B"
    "VHDhqAXy86J7mtwCzKbQBvFXrV2GQKWXA6lwW4V2NvnyRGsJ0tsdOVqlAx1Mjuj6/BhnbCP"
    "J5qbtEW9bLIYrimHqWi7qE2R test@minova")
PUBLIC_KEY_FINGERPRINT = "4c:88:52:f9:03:e9:79:ec:a8:aa:ec:34:12:97:7c:2e"
OPENSTACK_CLI = os.path.join(os.path.dirname(sys.executable), "openstack")
#: Seconds a server builds and an action runs in these tests.
STEP = 0.2
DEADLINE = 15.0


def compute_config(tmp_path, **overrides):
    """base_config serving only the compute API, with short steps."""
    sections = base_config(tmp_path, DEFAULT={
        "enabled_apis": "osapi_compute"},
        minova={"build_time": STEP, "action_time": STEP})
    for section, options in overrides.items():
        sections.setdefault(section, {}).update(options)
    return sections


class Client:
    """HTTP to one minova's compute API as one user at one microversion."""

    def __init__(self, base, token="demo:demo", version=None):
        self.base = base
        self.version = tuple(int(p) for p in (version or "2.1").split("."))
        self.session = requests.Session()
        self.session.headers["X-Auth-Token"] = token
        if version:
            self.session.headers["OpenStack-API-Version"] = (
                "compute %s" % version)

    def url(self, path):
        return self.base + "/v2.1" + path

    def request(self, method, path, body=None, **kwargs):
        if body is not None:
            kwargs["json"] = body
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request("PUT", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def ok(self, method, path, body=None, status=None, **kwargs):
        """The JSON of a call that must succeed (with ``status``)."""
        response = self.request(method, path, body, **kwargs)
        assert response.status_code < 300, (response.status_code,
                                            response.text)
        if status is not None:
            assert response.status_code == status, response.text
        return response.json() if response.content else None

    def boot(self, name="vm", flavor="1", wait=True, **server):
        """Create a server; with ``wait``, until it is ACTIVE."""
        server = dict({"name": name, "flavorRef": flavor, "imageRef": IMAGE},
                      **server)
        if self.version >= (2, 37):
            server.setdefault("networks", "auto")
        created = self.ok("POST", "/servers", {"server": server}, 202)
        server_id = created["server"]["id"]
        if wait:
            self.wait(server_id, "ACTIVE")
        return server_id

    def action(self, server_id, body):
        return self.post("/servers/%s/action" % server_id, body)

    def wait_task_done(self, server_id, deadline=DEADLINE):
        """Poll until the server has no task_state (its action ended)."""
        end = time.monotonic() + deadline
        while True:
            server = self.ok("GET", "/servers/%s" % server_id)["server"]
            if server["OS-EXT-STS:task_state"] is None:
                return server
            assert time.monotonic() < end, server
            time.sleep(0.05)

    def wait(self, server_id, status, deadline=DEADLINE):
        """Poll until the server shows ``status`` (or is gone: "DELETED")."""
        end = time.monotonic() + deadline
        while True:
            response = self.get("/servers/%s" % server_id)
            if response.status_code == 404 and status == "DELETED":
                return None
            server = response.json()["server"]
            if server["status"] == status:
                return server
            assert time.monotonic() < end, (
                "server %s is %s, not %s" % (server_id, server["status"],
                                              status))
            time.sleep(0.05)


def cli_env(**os_variables):
    """This process's environment with no ``OS_*`` variable but
    ``os_variables``: the developer's own cloud settings stay out."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("OS_")}
    env.update(os_variables)
    return env


def cli_session(base, token, *commands, version=None):
    """Run ``commands`` in one ``openstack`` process (its interactive mode
    reads them from stdin; each process start costs about two seconds) as
    noauth2's ``token`` against the minova at ``base``, at compute
    microversion ``version`` if given; the JSON documents they printed, in
    order (commands without ``-f json`` print none). Any error output
    fails the test."""
    variables = dict(OS_AUTH_TYPE="token", OS_AUTH_URL=base + "/identity",
                     OS_TOKEN=token)
    if version:
        variables["OS_COMPUTE_API_VERSION"] = version
    result = subprocess.run([OPENSTACK_CLI], input="\n".join(commands) + "\n",
                            capture_output=True, text=True,
                            env=cli_env(**variables), timeout=120)
    # The interactive mode exits with 1 whatever happened; a failed
    # command writes to stderr.
    assert not result.stderr, result.stderr
    decoder, text, documents, at = json.JSONDecoder(), result.stdout, [], 0
    while True:
        starts = [i for i in (text.find("{", at), text.find("[", at))
                  if i != -1]
        if not starts:
            return documents
        document, at = decoder.raw_decode(text, min(starts))
        documents.append(document)


def fault(response, code):
    """The message of a JSON fault of status ``code``."""
    assert response.status_code == code, (response.status_code,
                                          response.text)
    (body,) = response.json().values()
    assert body["code"] == code
    return body["message"]
