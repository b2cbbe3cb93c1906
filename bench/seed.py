"""The data some endpoints need, made through the compute API as a client would.

Run once per bench run against a minova serving the compute stack, before
any host is measured; every host then reads the same database. Each step
returns ``(value, None)`` or ``(None, reason)``: an endpoint whose seed step
failed is skipped with that reason (typically "answers 404" while the
resource is not in minova yet). Request shapes are nova's (v2.1, no
microversion header, noauth2 token ``admin:admin``). The hosted nova's
step (``nova_flavors``) runs through the first host serving it instead,
with its own administrator's token.
"""

import json
import time
import urllib.error
import urllib.request

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bench import hosts, matrix
from bench.matrix import ADMIN, NOVA_ADMIN

#: An image id: minova has no image service, so any UUID names one.
IMAGE_REF = "70a599e0-31e7-49b7-b260-868f441e862b"
ACTIVE_DEADLINE = 60.0
SERVERS = 100
KEYPAIRS = 10
#: (name, MB of RAM, vCPUs, GB of disk): what nova used to create by itself.
NOVA_FLAVORS = (("m1.tiny", 512, 1, 1), ("m1.small", 2048, 1, 20),
                ("m1.medium", 4096, 2, 40), ("m1.large", 8192, 4, 80),
                ("m1.xlarge", 16384, 8, 160))


class SeedFailed(Exception):
    pass


def _call(base, method, path, body=None, admin=ADMIN):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path, data=data, method=method,
        headers=dict(admin, **{"Content-Type": "application/json"}))
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
    except urllib.error.HTTPError as exc:
        raise SeedFailed("%s %s answers %d" % (method, path, exc.code)) from None
    return json.loads(text) if text else None


def _public_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH).decode("ascii")


def keypairs(base, count):
    """Import ``count`` keypairs (POST /os-keypairs with a public key)."""
    for i in range(count):
        _call(base, "POST", "/v2.1/os-keypairs", {"keypair": {
            "name": "bench-key-%d" % i, "public_key": _public_key()}})
    return count


def _flavor_ref(base):
    flavors = _call(base, "GET", "/v2.1/flavors")["flavors"]
    if flavors:
        return flavors[0]["id"]
    created = _call(base, "POST", "/v2.1/flavors", {"flavor": {
        "name": "bench.tiny", "ram": 512, "vcpus": 1, "disk": 1}})
    return created["flavor"]["id"]


def nova_flavors(base):
    """Create nova's classic m1 flavors in the hosted nova, which has none
    until an administrator makes them; returns how many it lists."""
    for name, ram, vcpus, disk in NOVA_FLAVORS:
        _call(base, "POST", "/v2.1/flavors", {"flavor": {
            "name": name, "ram": ram, "vcpus": vcpus, "disk": disk}},
            admin=NOVA_ADMIN)
    return len(_call(base, "GET", "/v2.1/flavors", admin=NOVA_ADMIN)[
        "flavors"])


def servers(base, count, key_name=None):
    """Create ``count`` servers and wait (bounded) until none is building.

    Returns the fixed IPv4 address of the first one (for meta_data.json).
    """
    flavor = _flavor_ref(base)
    ids = []
    for i in range(count):
        server = {"name": "bench-%03d" % i, "flavorRef": flavor,
                  "imageRef": IMAGE_REF}
        if key_name:
            server["key_name"] = key_name
        ids.append(_call(base, "POST", "/v2.1/servers",
                         {"server": server})["server"]["id"])
    deadline = time.monotonic() + ACTIVE_DEADLINE
    while time.monotonic() < deadline:
        listed = _call(base, "GET", "/v2.1/servers/detail")["servers"]
        if not any(s["status"] == "BUILD" for s in listed):
            break
        time.sleep(0.5)
    first = _call(base, "GET", "/v2.1/servers/%s" % ids[0])["server"]
    for addresses in first.get("addresses", {}).values():
        for address in addresses:
            if address.get("version") == 4:
                return address["addr"]
    raise SeedFailed("server %s has no IPv4 address after %ds" % (
        ids[0], ACTIVE_DEADLINE))


def seed(base, steps):
    """Run the named steps; ``{step: (value, reason)}`` for the endpoints' ``seed``.

    ``server_ip`` (meta_data.json) is the address ``servers`` returned.
    """
    results = {}
    if "nova_flavors" in steps:
        results["nova_flavors"] = _step("nova_flavors", nova_flavors, base)
    if "keypairs" in steps:
        results["keypairs"] = _step("keypairs", keypairs, base, KEYPAIRS)
    if steps & {"servers", "server_ip"}:
        key_name = "bench-key-0" if results.get("keypairs", (0,))[0] else None
        results["servers"] = _step("servers", servers, base, SERVERS,
                                   key_name)
        results["server_ip"] = results["servers"]
    return results


def _step(name, action, *args):
    try:
        return action(*args), None
    except (SeedFailed, LookupError, TypeError, ValueError, OSError) as exc:
        return None, "seed %s: %s" % (name, exc)


def endpoint_headers(endpoint, seeds):
    """``endpoint``'s headers with the values of ``seeds`` (what ``seed``
    returned) put in where they name a step (``{server_ip}``)."""
    values = {step: value for step, (value, _) in seeds.items()}
    return tuple((name, value.format(**values))
                 for name, value in endpoint.headers)


def seeded_headers(endpoint, kind, procs, stack, workdir, base_config,
                   hosted=None):
    """The headers of ``endpoint``, after its seed step (servers, key
    pairs, real nova's flavors) ran through a host of ``kind`` in
    ``workdir``, whose database every host started there then reads: for
    the tools that measure one cell (bench.threads, bench.profile)."""
    if endpoint.seed is None:
        return tuple(endpoint.headers)
    running = hosts.RunningHost(matrix.Host(kind, procs), stack, workdir,
                                base_config, hosted=hosted)
    try:
        running.wait_ready()
        seeds = seed(running.url, {endpoint.seed})
    finally:
        running.stop()
    reason = seeds[endpoint.seed][1]
    if reason:
        raise SystemExit("seeding %s failed: %s" % (endpoint.seed, reason))
    return endpoint_headers(endpoint, seeds)
