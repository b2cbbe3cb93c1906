"""Real nova, placement and keystone from PyPI, set up for the hosting tests.

What each service needs before it serves, done the way an operator does it
(config files in a directory, the project's own ``*-manage`` commands), in
the test's temporary directory:

- ``venv()``: the hosting venv (``tests/hosting/install.sh`` builds it: minova
  and the pinned services side by side, because a hosted app is imported into
  twistd's own process). Missing, it skips with the reason, or fails in CI.
- ``StandIn``: glance and neutron where nova calls them, a small WSGI app on
  loopback that records each call (``/glance/...`` and ``/neutron/...``).
- ``nova(...)``, ``keystone(...)``, ``placement(...)``: a config directory
  and the databases; each returns a ``Service`` with the environment its
  entry module reads (``OS_NOVA_CONFIG_DIR`` ...) and that entry module.
- ``hosted_python(...)``: runs a script with the hosting venv's python and
  returns what it printed as JSON (tempest.lib's clients, nova's objects:
  they import there, not in the pytest process).

The entry points, and what each reads (nova 34.0.0, placement 16.0.0,
keystone 30.0.0):

- nova: ``nova.wsgi.osapi_compute:application`` and
  ``nova.wsgi.metadata:application``. Import runs
  ``nova.api.openstack.wsgi_app.init_application``: config from
  ``OS_NOVA_CONFIG_DIR`` (default /etc/nova) and ``OS_NOVA_CONFIG_FILES``
  (``;``-separated, default ``api-paste.ini;nova.conf``: the FIRST file is
  the paste file the app is loaded from), ``sys.argv`` parsed by oslo.config
  into the process-global ``cfg.CONF``, logging, rpc, db, the service row.
  ``OS_NOVA_DISABLE_EVENTLET_PATCHING`` (or ``[DEFAULT]
  concurrency_backend``) chooses eventlet; unset, these modules choose
  native threads and poison any later eventlet import.
- placement: ``placement.wsgi.api:application`` (``placement.wsgi.
  init_application()`` is the factory behind it). Config from
  ``OS_PLACEMENT_CONFIG_DIR``/placement.conf into a ConfigOpts of its own;
  it passes no argv, so twistd's arguments never reach it.
- keystone: ``keystone.wsgi.api:application`` (a module with a ready app),
  or the factory ``keystone.server.wsgi:initialize_public_application``.
  Config from ``OS_KEYSTONE_CONFIG_DIR`` (keystone.conf in it) and
  ``OS_KEYSTONE_CONFIG_FILES``, parsed into the process-global ``cfg.CONF``
  with ``sys.argv`` (oslo.config's default when no args are given).
"""

import grp
import hashlib
import hmac
import json
import os
import pwd
import socket
import subprocess
import threading
import time
import wsgiref.simple_server
from socketserver import ThreadingMixIn

import pytest

from tests.functional.process import ROOT, write_config

HERE = os.path.dirname(os.path.abspath(__file__))
VENV_ENV = "MINOVA_OPENSTACK_VENV"
#: The shared secret nova's metadata API and the (stand-in) metadata proxy
#: sign the instance id with.
METADATA_SECRET = "minova-metadata-secret"
#: keystone-manage bootstrap's admin, also nova's service user for authtoken.
ADMIN_PASSWORD = "minova-admin-secret"
MANAGE_TIMEOUT = 300


def venv_missing():
    """(the hosting venv's directory, why it cannot be used or None).

    bench/'s hosted-nova stack uses the same venv and set-up, and says why
    it skips instead of skipping a test.
    """
    path = os.environ.get(VENV_ENV) or os.path.join(ROOT, ".venv-openstack")
    python = os.path.join(path, "bin", "python")
    if not os.access(python, os.X_OK) or not os.path.exists(
            os.path.join(path, ".minova-hosting-stamp")):
        return path, ("the hosting venv %s is missing or unfinished: build "
                      "it with tests/hosting/install.sh (.ci/run does)"
                      % path)
    return path, None


def venv():
    """The hosting venv's directory; skips (outside CI) or fails (in CI)."""
    path, reason = venv_missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the hosting tests: " + reason)
        pytest.skip(reason)
    return path


def venv_bin(name):
    return os.path.join(venv(), "bin", name)


def free_port(host="127.0.0.1"):
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def run(args, env=None, timeout=MANAGE_TIMEOUT):
    """Run a set-up command; on failure, fail with its output."""
    done = subprocess.run(args, capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=ROOT)
    if done.returncode:
        raise AssertionError("%s exited %d:\n%s\n%s" % (
            " ".join(args), done.returncode, done.stdout, done.stderr))
    return done.stdout


def clean_env(**extra):
    """The environment for the hosting venv's processes.

    The pytest venv's PYTHONPATH and VIRTUAL_ENV must not leak into the other
    venv's interpreter; ``tests`` is importable there through minova's
    editable install.
    """
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV")
           and not k.startswith("OS_")}
    env.update(extra)
    return env


def hosted_python(script, *args, env=None, timeout=120):
    """Run ``script`` (a path under tests/hosting) with the hosting venv's
    python; its stdout's last line, as JSON."""
    out = run([venv_bin("python"), os.path.join(HERE, script)] + list(args),
              env=env or clean_env(), timeout=timeout)
    return json.loads(out.strip().splitlines()[-1])


class Service:
    """A set-up service: its config dir, the environment its entry module
    reads, and its entry points ({api name: "module:callable"})."""

    def __init__(self, name, confdir, env, entry_points, **info):
        self.name = name
        self.confdir = confdir
        self.env = env
        self.entry_points = entry_points
        self.__dict__.update(info)


# -- small loopback WSGI servers (stand-ins, metadata proxy) ----------------

class Served:
    """A WSGI app on a free loopback port, in a daemon thread of pytest."""

    def __init__(self, app):
        class Server(ThreadingMixIn, wsgiref.simple_server.WSGIServer):
            daemon_threads = True

        class Quiet(wsgiref.simple_server.WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self._server = wsgiref.simple_server.make_server(
            "127.0.0.1", 0, app, server_class=Server, handler_class=Quiet)
        threading.Thread(target=self._server.serve_forever,
                         kwargs={"poll_interval": 0.1}, daemon=True).start()

    @property
    def url(self):
        return "http://%s:%d" % self._server.server_address[:2]

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


def metadata_signature(instance_uuid):
    return hmac.new(METADATA_SECRET.encode(), instance_uuid.encode(),
                    hashlib.sha256).hexdigest()


def metadata_headers(instance_uuid, project_id, address="10.0.0.5"):
    """What neutron's metadata proxy adds for a guest's request."""
    return {"X-Instance-ID": instance_uuid, "X-Tenant-ID": project_id,
            "X-Instance-ID-Signature": metadata_signature(instance_uuid),
            "X-Forwarded-For": address}


class MetadataProxy:
    """neutron's metadata proxy in small: forwards a guest's GET to nova's
    metadata API with the signed instance headers, so cloud-init's reader
    can be pointed at it as a guest is pointed at 169.254.169.254."""

    def __init__(self, target, instance_uuid, project_id):
        self.target = target
        self.headers = metadata_headers(instance_uuid, project_id)

    def __call__(self, environ, start_response):
        import requests
        response = requests.get(self.target + environ["PATH_INFO"],
                                headers=self.headers, timeout=30)
        start_response("%d %s" % (response.status_code, response.reason), [
            ("Content-Type", response.headers.get("Content-Type",
                                                  "text/plain"))])
        return [response.content]


# -- the glance and neutron stand-in ---------------------------------------

class StandIn:
    """glance and neutron where nova calls them, on one loopback port.

    ``/glance/...`` answers as glance v2, ``/neutron/...`` as neutron v2.0:
    empty collections, one active image for any id, default quotas. Every
    request is recorded in ``calls`` as ("GET", "/neutron/v2.0/ports").
    ``delay[path]`` holds the answer to that path so many seconds: a nova
    request that calls it stays in flight that long (the drain test).
    """

    def __init__(self):
        self.calls = []
        self.delay = {}
        self._served = None

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        self.calls.append((method, path))
        if path in self.delay:
            time.sleep(self.delay[path])
        service, _, rest = path.lstrip("/").partition("/")
        body = {"glance": self._glance,
                "neutron": self._neutron}.get(service, lambda r: None)(
                    rest.rstrip("/"))
        status = "200 OK" if body is not None else "404 Not Found"
        data = json.dumps(body if body is not None else
                          {"error": "not served by the stand-in"}).encode()
        start_response(status, [("Content-Type", "application/json"),
                                 ("Content-Length", str(len(data)))])
        return [data]

    def _version_doc(self, service, version):
        return {"versions": [{"id": version, "status": "CURRENT",
                              "links": [{"rel": "self", "href": "%s/%s/" % (
                                  self.url(service), version)}]}]}

    def _glance(self, rest):
        if rest in ("", "versions"):
            return self._version_doc("glance", "v2")
        if rest == "v2/schemas/image":
            return {"name": "image", "properties": {},
                    "additionalProperties": {"type": "string"}}
        if rest.startswith("v2/images/"):
            image_id = rest.split("/")[2]
            return {"id": image_id, "name": "stand-in", "status": "active",
                    "visibility": "public", "disk_format": "raw",
                    "container_format": "bare", "min_disk": 0,
                    "min_ram": 0, "size": 1024, "protected": False,
                    "tags": [], "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z"}
        if rest == "v2/images":
            return {"images": []}
        return None

    def _neutron(self, rest):
        if rest == "":
            return self._version_doc("neutron", "v2.0")
        parts = rest.removesuffix(".json").split("/")
        if parts[0] != "v2.0" or len(parts) < 2:
            return None
        if parts[1] == "quotas" and len(parts) == 3:
            return {"quota": {"network": 100, "subnet": 100, "port": 500,
                              "router": 10, "floatingip": 50,
                              "security_group": 10,
                              "security_group_rule": 100}}
        return {parts[1].replace("-", "_"): []}

    def url(self, service):
        return "%s/%s" % (self._served.url, service)

    def start(self):
        self._served = Served(self)
        return self

    def stop(self):
        self._served.stop()


# -- nova --------------------------------------------------------------------

def nova_paste(path, auth):
    """nova's shipped api-paste.ini, with ``authtoken`` replaced by
    tests.hosting.tokenauth unless ``auth`` is "keystone"."""
    with open(os.path.join(venv(), "etc", "nova", "api-paste.ini")) as f:
        text = f.read()
    if auth != "keystone":
        text = text.replace(
            "paste.filter_factory = keystonemiddleware.auth_token:"
            "filter_factory",
            "paste.filter_factory = tests.hosting.tokenauth:filter_factory")
    with open(path, "w") as f:
        f.write(text)
    return path


def nova(directory, standin, keystone=None, host="minova-test"):
    """nova.conf, api-paste.ini and the four databases, in ``directory``.

    ``api-paste.ini`` is nova's shipped file with tests.hosting.tokenauth
    in place of ``authtoken`` (fixed tokens, no keystone needed). With
    ``keystone`` (a Service from ``keystone()``), ``api-paste-keystone.ini``
    is the shipped file unchanged and nova.conf's ``[keystone_authtoken]``
    points at that keystone: ``Service.keystone_env`` selects it through
    ``OS_NOVA_CONFIG_FILES``, as an operator would.
    """
    confdir = os.path.join(directory, "nova")
    state = os.path.join(confdir, "state")
    os.makedirs(os.path.join(state, "locks"), exist_ok=True)
    dbs = {name: "sqlite:///" + os.path.join(state, name + ".sqlite")
           for name in ("nova_api", "nova_cell0", "nova")}
    sections = {
        "DEFAULT": {
            "transport_url": "fake://",
            "compute_driver": "fake.FakeDriver",
            "state_path": state,
            "host": host,
            "my_ip": "127.0.0.1",
            # Logs go to stderr, i.e. into twistd's log, as under uWSGI.
            "use_stderr": "true",
        },
        "api_database": {"connection": dbs["nova_api"]},
        "database": {"connection": dbs["nova"]},
        "oslo_concurrency": {"lock_path": os.path.join(state, "locks")},
        # No nova-compute exists: without this the API refuses to start.
        "workarounds": {"disable_compute_service_check_for_ffu": "true"},
        # Plain role checks for the fixed tokens: admin may create flavors.
        "oslo_policy": {"enforce_scope": "false",
                        "enforce_new_defaults": "false"},
        "glance": {"endpoint_override": standin.url("glance"),
                   "auth_type": "none", "num_retries": 0},
        "neutron": {"endpoint_override": standin.url("neutron"),
                    "auth_type": "none", "service_metadata_proxy": "true",
                    "metadata_proxy_shared_secret": METADATA_SECRET},
        "cinder": {"auth_type": "none"},
        "api": {"auth_strategy": "keystone"},
    }
    if keystone is not None:
        sections["keystone_authtoken"] = {
            "www_authenticate_uri": keystone.url,
            "auth_url": keystone.url,
            "auth_type": "password",
            "username": "admin", "password": ADMIN_PASSWORD,
            "project_name": "admin", "user_domain_name": "Default",
            "project_domain_name": "Default",
            "interface": "public",
        }
    conf = write_config(os.path.join(confdir, "nova.conf"), sections)
    nova_paste(os.path.join(confdir, "api-paste.ini"), "fixed")
    if keystone is not None:
        nova_paste(os.path.join(confdir, "api-paste-keystone.ini"),
                   "keystone")
    manage = [venv_bin("nova-manage"), "--config-file", conf]
    env = clean_env()
    run(manage + ["api_db", "sync"], env)
    run(manage + ["cell_v2", "map_cell0",
                  "--database_connection", dbs["nova_cell0"]], env)
    run(manage + ["db", "sync"], env)
    run(manage + ["cell_v2", "create_cell", "--name", "cell1",
                  "--database_connection", dbs["nova"],
                  "--transport-url", "fake://"], env)
    return Service(
        "nova", confdir, {"OS_NOVA_CONFIG_DIR": confdir},
        {"osapi_compute": "nova.wsgi.osapi_compute:application",
         "metadata": "nova.wsgi.metadata:application"},
        conf=conf, databases=dbs,
        keystone_env={"OS_NOVA_CONFIG_DIR": confdir,
                      "OS_NOVA_CONFIG_FILES":
                          "api-paste-keystone.ini;nova.conf"})


# -- keystone ----------------------------------------------------------------

def keystone(directory, port):
    """keystone.conf, fernet and credential keys, the database and the
    bootstrap admin, for a keystone that will listen on 127.0.0.1:``port``.

    The port is chosen before keystone starts because bootstrap writes the
    identity endpoint into the catalog, and keystonemiddleware finds the
    identity API it validates tokens with through that catalog.
    """
    confdir = os.path.join(directory, "keystone")
    state = os.path.join(confdir, "state")
    os.makedirs(state, exist_ok=True)
    url = "http://127.0.0.1:%d/v3" % port
    conf = write_config(os.path.join(confdir, "keystone.conf"), {
        "DEFAULT": {"use_stderr": "true"},
        "database": {"connection": "sqlite:///" + os.path.join(
            state, "keystone.sqlite")},
        "token": {"provider": "fernet"},
        "fernet_tokens": {"key_repository": os.path.join(state, "fernet")},
        "credential": {"key_repository": os.path.join(state, "credential")},
    })
    manage = [venv_bin("keystone-manage"), "--config-file", conf]
    owner = ["--keystone-user", pwd.getpwuid(os.getuid()).pw_name,
             "--keystone-group", grp.getgrgid(os.getgid()).gr_name]
    env = clean_env()
    run(manage + ["db_sync"], env)
    run(manage + ["fernet_setup"] + owner, env)
    run(manage + ["credential_setup"] + owner, env)
    run(manage + ["bootstrap", "--bootstrap-password", ADMIN_PASSWORD,
                  "--bootstrap-admin-url", url,
                  "--bootstrap-internal-url", url,
                  "--bootstrap-public-url", url,
                  "--bootstrap-region-id", "RegionOne"], env)
    return Service(
        "keystone", confdir, {"OS_KEYSTONE_CONFIG_DIR": confdir},
        {"identity": "keystone.wsgi.api:application"},
        conf=conf, url=url, port=port,
        factory="keystone.server.wsgi:initialize_public_application()")


def token(url, user="admin", password=ADMIN_PASSWORD, project="admin"):
    """A project-scoped token from keystone at ``url`` (…/v3)."""
    import requests
    body = {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"id": "default"},
            "password": password}}},
        "scope": {"project": {"name": project,
                              "domain": {"id": "default"}}}}}
    response = requests.post(url + "/auth/tokens", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


# -- placement ---------------------------------------------------------------

def placement(directory):
    """placement.conf (noauth2: admin for the token "admin") and its
    database, synced with placement-manage."""
    confdir = os.path.join(directory, "placement")
    state = os.path.join(confdir, "state")
    os.makedirs(state, exist_ok=True)
    conf = write_config(os.path.join(confdir, "placement.conf"), {
        "DEFAULT": {"use_stderr": "true"},
        "placement_database": {"connection": "sqlite:///" + os.path.join(
            state, "placement.sqlite")},
        "api": {"auth_strategy": "noauth2"},
        "oslo_policy": {"enforce_scope": "false",
                        "enforce_new_defaults": "false"},
    })
    run([venv_bin("placement-manage"), "--config-file", conf, "db", "sync"],
        clean_env())
    return Service(
        "placement", confdir, {"OS_PLACEMENT_CONFIG_DIR": confdir},
        {"placement": "placement.wsgi.api:application"}, conf=conf)


