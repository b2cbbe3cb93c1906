"""Fuzzing a real minova with hypothesis: every compute and metadata call, and raw request heads.

The compute calls come from ``ROUTE_LIST`` as it stands (every path and
method), with fuzzed path arguments, query strings (any bytes,
percent-encoded), microversions and JSON bodies (free-form, shaped like
nova's with its keys, and nested thousands deep); the metadata calls walk
the tree's paths with fuzzed segments and lookup headers; the heads are
raw bytes on a socket. Every answer must be a 2xx, a 300, or a 4xx with
nova's body (a JSON fault from the compute API; webob's plain 404 where
nova's metadata API gives one) — never a 5xx, a hang or a traceback — and
the server must still answer afterwards.

Short mode (the test suite): ``EXAMPLES`` per test. Long mode, by hand:
``MINOVA_FUZZ_EXAMPLES=5000 pytest -s tests/functional/test_fuzz.py``.
"""

import json
import os
import socket
import string
from urllib.parse import quote, urlencode

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minova_tw.api.metadata import base as metadata_base
from minova_tw.api.openstack.compute.routes import ROUTE_LIST
from tests.functional.compute import IMAGE
from tests.functional.process import base_config
from tests.functional.rawhttp import parse, read_response

EXAMPLES = int(os.environ.get("MINOVA_FUZZ_EXAMPLES", "200"))
TIMEOUT = 30.0
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

#: Keys nova's request bodies use, so shaped bodies get past the first check.
BODY_KEYS = (
    "name", "flavorRef", "imageRef", "metadata", "key_name", "networks",
    "tags", "availability_zone", "user_data", "description", "ram", "vcpus",
    "disk", "id", "swap", "rxtx_factor", "os-flavor-access:is_public",
    "OS-FLV-EXT-DATA:ephemeral", "public_key", "type", "user_id",
    "extra_specs", "meta", "adminPass", "accessIPv4", "accessIPv6",
    "min_count", "max_count", "return_reservation_id", "security_groups",
    "block_device_mapping_v2", "personality", "config_drive",
    "OS-DCF:diskConfig", "hostname", "host", "locked_reason", "length",
    "rescue_image_ref", "trusted_image_certificates", "uuid", "fixed_ip",
    "port", "key", "value", "policies", "policy", "rules",
    "max_server_per_host", "group", "backup_type", "rotation", "state",
    "1", "")
WRAPPERS = (
    "server", "flavor", "keypair", "metadata", "meta", "extra_specs",
    "reboot", "os-stop", "os-start", "pause", "unpause", "suspend", "resume",
    "lock", "unlock", "changePassword", "createImage", "rebuild", "resize",
    "confirmResize", "revertResize", "rescue", "unrescue",
    "os-getConsoleOutput", "trigger_crash_dump", "shelve", "shelveOffload",
    "unshelve", "restore", "forceDelete", "os-resetState",
    "injectNetworkInfo", "createBackup", "flavor_access", "server_group",
    "os:scheduler_hints", "addSecurityGroup", "removeSecurityGroup")
QUERY_KEYS = (
    "limit", "marker", "sort_key", "sort_dir", "name", "status",
    "changes-since", "changes-before", "all_tenants", "is_public", "minDisk",
    "minRam", "flavor", "image", "ip", "ip6", "deleted", "host", "user_id",
    "project_id", "tenant_id", "tags", "tags-any", "not-tags", "locked",
    "availability_zone", "reservation_id", "key_name", "description",
    "include", "reserved", "all_projects", "offset", "node")
TOKENS = ("demo:demo", "admin:admin", "other:other", "", "demo", ":")

text = st.text(max_size=40)
#: What an HTTP client library lets through as a header value: requests
#: refuses one that starts with whitespace, and to Python U+0085 and U+00A0
#: are whitespace too.
header_text = st.text(st.characters(min_codepoint=0x21, max_codepoint=0xff,
                                    exclude_characters="\x85\xa0"),
                      max_size=40)
scalars = (st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70)
           | st.floats(allow_nan=True, allow_infinity=True) | text)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(BODY_KEYS) | text, inner, max_size=5),
    max_leaves=12)
shaped = st.dictionaries(
    st.sampled_from(WRAPPERS),
    st.dictionaries(st.sampled_from(BODY_KEYS), json_values, max_size=8)
    | json_values, min_size=1, max_size=2)
#: JSON nested past what a recursive parser takes: complete, unclosed,
#: and inside a request's wrapper.
deep_json = st.tuples(st.integers(1, 50000), st.sampled_from([
    lambda d: b"[" * d + b"]" * d,
    lambda d: b"[" * d,
    lambda d: b'{"a": ' * d + b"1" + b"}" * d,
    lambda d: b'{"server": ' + b"[" * d + b"]" * d + b"}",
])).map(lambda spec: spec[1](spec[0]))
bodies = st.one_of(
    shaped.map(lambda b: json.dumps(b).encode()),
    json_values.map(lambda b: json.dumps(b).encode()),
    deep_json,
    st.binary(max_size=200),
    st.just(b""))
versions = st.one_of(
    st.integers(0, 120).map(lambda m: "compute 2.%d" % m),
    st.sampled_from(["compute latest", "compute 3.0", "2.1", "compute",
                     "volume 2.1", "compute 2.01", "compute -2.5"]),
    header_text)
#: Query values; bytes are percent-encoded as they are, so not always
#: UTF-8 (``?name=%ff``).
query_values = st.one_of(text, st.integers(-10, 2 ** 64).map(str),
                         st.sampled_from(["asc", "desc", "ACTIVE", "true",
                                          "2020-01-01T00:00:00Z", "1"]),
                         st.binary(max_size=8))
queries = st.lists(st.tuples(st.sampled_from(QUERY_KEYS) | text
                             | st.binary(max_size=8), query_values),
                   max_size=4)


def route_calls():
    """(method, path template) of every compute route, as it stands."""
    return [(method, path) for path, methods in ROUTE_LIST
            for method in methods]


def check_answer(response, context, faults=False):
    """2xx, 300 or 4xx with nova's body; never a 5xx or a traceback.

    ``faults``: every 4xx is nova's JSON fault (the compute API), or the
    host's own plain-text refusal of a request it could not take.
    """
    status = response.status_code
    body = response.text
    assert status < 500, (context, status, body[:500])
    assert "Traceback" not in body and 'File "' not in body, context
    content_type = response.headers.get("Content-Type", "")
    if faults and status >= 400 and content_type != "text/plain":
        assert content_type.startswith("application/json"), (
            context, status, body[:300])
    if status >= 400 and content_type.startswith("application/json"):
        document = response.json()
        if "title" in document:  # webob's own 404: where nova has it
            assert not faults, (context, body)
            assert document["code"].startswith(str(status)), context
        else:
            (fault,) = document.values()
            assert fault["code"] == status, (context, body)
            assert isinstance(fault["message"], str), (context, body)


@pytest.fixture
def fuzzed(minova, tmp_path):
    """minova (compute and metadata) with a server, a keypair, a flavor
    and a server group to aim at; ``(process, {name: id})``."""
    process = minova(base_config(tmp_path, api={"use_forwarded_for": "true"},
                                 minova={"build_time": 0.1,
                                         "action_time": 0.1}))
    session = requests.Session()
    session.headers["X-Auth-Token"] = "demo:demo"
    compute = process.url("osapi_compute", "/v2.1")
    created = session.post(compute + "/servers", json={"server": {
        "name": "target", "flavorRef": "1", "imageRef": IMAGE,
        "metadata": {"k": "v"}}}, timeout=TIMEOUT)
    assert created.status_code == 202, created.text
    session.post(compute + "/os-keypairs", json={"keypair": {"name": "key"}},
                 timeout=TIMEOUT).raise_for_status()
    group = session.post(compute + "/os-server-groups", json={
        "server_group": {"name": "g", "policies": ["anti-affinity"]}},
        timeout=TIMEOUT)
    group.raise_for_status()
    ids = {"server": created.json()["server"]["id"], "flavor": "1",
           "keypair": "key", "spec": "hw:cpu_policy", "meta": "k",
           "group": group.json()["server_group"]["id"]}
    return process, ids


def fill(template, ids, fuzz):
    """``template`` with its ``{arguments}`` set from ``ids`` or ``fuzz``."""
    values = {"id": ids["server"], "server_id": ids["server"],
              "flavor_id": ids["flavor"]}
    if "/os-keypairs/" in template:
        values["id"] = ids["keypair"]
    elif "/flavors/{id}" in template:
        values["id"] = ids["flavor"]
    elif "/os-extra_specs/" in template:
        values["id"] = ids["spec"]
    elif "/metadata/" in template:
        values["id"] = ids["meta"]
    elif "/os-server-groups/" in template:
        values["id"] = ids["group"]
    path = template
    for name, value in values.items():
        if fuzz is not None:
            value = fuzz
        path = path.replace("{%s}" % name, quote(value, safe=""))
    return path


@FUZZ
@given(call=st.sampled_from(route_calls()), fuzz=st.none() | text,
       query=queries, body=bodies, version=st.none() | versions,
       token=st.sampled_from(TOKENS), content_type=st.sampled_from(
           ["application/json", "text/plain", "", "application/json; x=1"]),
       project=st.booleans())
def test_every_compute_call(fuzzed, call, fuzz, query, body, version, token,
                            content_type, project):
    process, ids = fuzzed
    method, template = call
    path = fill(template, ids, fuzz)
    if project:
        path = "/" + token.partition(":")[2] + path
    url = process.url("osapi_compute", "/v2.1" + path)
    if query:
        url += "?" + urlencode(query)
    headers = {"X-Auth-Token": token, "Content-Type": content_type}
    if version is not None:
        headers["OpenStack-API-Version"] = version
    response = requests.request(method, url, data=body, headers=headers,
                                timeout=TIMEOUT)
    check_answer(response, (method, url, headers, body[:300]), faults=True)


METADATA_SEGMENTS = (
    ("", "openstack", metadata_base.LATEST) + metadata_base.EC2_VERSIONS
    + metadata_base.OPENSTACK_VERSIONS + (
        "meta_data.json", "user_data", "password", "vendor_data.json",
        "network_data.json", "vendor_data2.json", "meta-data", "user-data",
        "instance-id", "local-ipv4", "public-keys", "0", "openssh-key",
        "block-device-mapping", "placement", "availability-zone",
        "hostname", "ami-id", "..", "."))


@FUZZ
@given(segments=st.lists(st.sampled_from(METADATA_SEGMENTS) | text,
                         max_size=5),
       method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE"]),
       forwarded=st.sampled_from(["10.0.0.2", "10.0.0.99", "", "bogus",
                                  "::1", "10.0.0.2, 1.2.3.4"]),
       proxy=st.dictionaries(st.sampled_from(
           ["X-Instance-ID", "X-Tenant-ID", "X-Instance-ID-Signature",
            "X-Metadata-Provider", "X-Metadata-Provider-Signature"]),
           st.text(string.printable.strip(), max_size=40), max_size=3),
       body=st.binary(max_size=300))
def test_every_metadata_call(fuzzed, segments, method, forwarded, proxy,
                             body):
    process, _ = fuzzed
    path = "/" + "/".join(quote(s, safe="") for s in segments)
    headers = dict(proxy, **{"X-Forwarded-For": forwarded})
    response = requests.request(method, process.url("metadata", path),
                                data=body, headers=headers, timeout=TIMEOUT)
    check_answer(response, (method, path, headers, body[:100]))


header_names = st.sampled_from([
    b"Host", b"Content-Length", b"Transfer-Encoding", b"Connection",
    b"Expect", b"X-Auth-Token", b"OpenStack-API-Version", b"Content-Type",
    b"X-Forwarded-For", b"Forwarded", b"Accept", b"X-Openstack-Request-Id"]
) | st.binary(min_size=1, max_size=20)
header_values = st.sampled_from([
    b"0", b"5", b"-1", b"chunked", b"close", b"100-continue", b"demo:demo",
    b"compute 2.90", b"application/json", b"identity, chunked", b"a" * 300]
) | st.binary(max_size=60)


@FUZZ
@given(method=st.sampled_from([b"GET", b"POST", b"PUT", b"DELETE", b"HEAD",
                               b"OPTIONS", b"PATCH", b"get", b"G\x00T"])
       | st.binary(max_size=10),
       target=st.sampled_from([b"/", b"/v2.1/servers", b"/v2.1/flavors/1",
                               b"*", b"http://x/v2.1", b"/v2.1/%zz",
                               b"/v2.1/servers?limit=%ff"])
       | st.binary(max_size=40),
       version=st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2.0",
                                b"HTTP/1.1 x", b""]),
       headers=st.lists(st.tuples(header_names, header_values), max_size=6),
       body=st.binary(max_size=100),
       api=st.sampled_from(["osapi_compute", "metadata"]))
def test_raw_request_heads(fuzzed, method, target, version, headers, body,
                           api):
    process, _ = fuzzed
    head = b" ".join(part for part in (method, target, version) if part)
    head += b"\r\n" + b"".join(b"%s: %s\r\n" % h for h in headers)
    with socket.create_connection(process.addresses[api],
                                  timeout=TIMEOUT) as sock:
        sock.sendall(head + b"Connection: close\r\n\r\n" + body)
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server already closed: it answered
        answer = read_response(sock, TIMEOUT)
    if answer:  # a client that never finished its head may get nothing
        status = parse(answer)[0]
        code = status.split(" ")[1] if status.count(" ") else "?"
        assert code[:1] in "1234" and code[:1] != "", (head, answer[:300])
        assert b"Traceback" not in answer, (head, answer[:300])


def test_still_serving_after_the_fuzz(fuzzed):
    process, _ = fuzzed
    assert requests.get(process.url("osapi_compute", "/"),
                        timeout=TIMEOUT).ok
    assert "Unhandled Error" not in process.log
