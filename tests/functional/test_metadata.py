"""The metadata API over HTTP on the real twistd process, with servers made by the compute layer.

Servers are created in the test process through ``minova_tw.compute.api``
on the SQLite file the running minova uses (one test also tries the compute
API's ``POST /v2.1/servers``). minova finds a server by the client's
address: through http_proxy_to_wsgi and ``X-Forwarded-For``, or for real,
from a client socket bound to the server's fixed IP in 127.0.0.0/24; or,
with ``[neutron] service_metadata_proxy``, by neutron's signed headers.
"""

import base64
import hashlib
import hmac
import http.client
import json

import pytest
import requests

from tests.functional.process import base_config, run_minova, write_config
from minova_tw import conf as minova_conf
from minova_tw import context
from minova_tw.compute import api as compute_api
from minova_tw.db import migration
from tests.polling import wait_for

SECRET = "proxy-secret"
OS_VERSIONS = ["2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15",
               "2016-06-30", "2016-10-06", "2017-02-22", "2018-08-27",
               "2020-10-14", "2025-04-04"]
EC2_VERSIONS = ["1.0", "2007-01-19", "2007-03-01", "2007-08-29",
                "2007-10-10", "2007-12-15", "2008-02-01", "2008-09-01",
                "2009-04-04"]
USER_DATA = b"#cloud-config\nhostname: from-user-data\n\xff\x00binary"
LOOPBACK_RANGE = "127.0.0.0/24"


def Context(project_id="project-a", user_id="user-a"):
    """A project member's request context."""
    return context.RequestContext(user_id=user_id, project_id=project_id,
                                  roles=["member", "reader"])


def sign(value, secret=SECRET):
    return hmac.new(secret.encode(), value.encode(),
                    hashlib.sha256).hexdigest()


def config(tmp_path, fixed_range="10.0.0.0/24", **overrides):
    """minova's config: proxy headers parsed, servers ACTIVE at once."""
    sections = base_config(tmp_path, **overrides)
    sections.setdefault("oslo_middleware", {}).setdefault(
        "enable_proxy_headers_parsing", "true")
    sections.setdefault("minova", {}).update(fixed_range=fixed_range,
                                             build_time=0)
    return sections


def compute_for(tmp_path, sections):
    """A compute API in the test process on minova's database."""
    path = tmp_path / "client.conf"
    path.write_text(
        "[DEFAULT]\nstate_path = %s\n[minova]\nfixed_range = %s\n"
        "build_time = 0\n" % (sections["DEFAULT"]["state_path"],
                              sections["minova"]["fixed_range"]))
    conf = minova_conf.load([str(path)])
    migration.sync(conf)
    return compute_api.API(conf)


def fetch(server, path, method="GET", headers=(), body=None, source=None):
    """(status, headers, body) of one request; ``headers`` is a list of
    pairs (a name may repeat); ``source`` the client address to bind."""
    host, port = server.addresses["metadata"]
    conn = http.client.HTTPConnection(
        host, port, timeout=10,
        source_address=(source, 0) if source else None)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture
def stack(minova, tmp_path):
    """``stack(**overrides)`` -> (running minova, compute API, sections)."""
    def start(fixed_range="10.0.0.0/24", **overrides):
        sections = config(tmp_path, fixed_range, **overrides)
        server = minova(sections)
        return server, compute_for(tmp_path, sections), sections
    return start


def boot(compute, name="web-1", ctx=None, **kwargs):
    ctx = ctx or Context()
    kwargs.setdefault("user_data", base64.b64encode(USER_DATA).decode())
    return compute.servers.create(ctx, name, "1", **kwargs)[0]


def via(address):
    return [("X-Forwarded-For", address)]


# -- the URL tree ----------------------------------------------------------

def test_every_path_of_the_tree(stack, tmp_path):
    server, compute, _ = stack(api={"dhcp_domain": "example.org"})
    keypair = compute.keypairs.create(Context(), "mykey")[0]
    vm = boot(compute, metadata={"role": "web"}, key_name="mykey")
    xff = via(vm.fixed_ips[0].address)

    status, headers, body = fetch(server, "/")
    assert (status, body.decode().split("\n")) == (200, EC2_VERSIONS
                                                   + ["latest"])
    assert headers["Content-Type"] == "text/plain; charset=UTF-8"

    status, _, body = fetch(server, "/openstack", headers=xff)
    assert body.decode().split("\n") == OS_VERSIONS + ["latest"]
    for version in OS_VERSIONS + ["latest"]:
        status, headers, body = fetch(server, "/openstack/%s/" % version,
                                      headers=xff)
        assert status == 200
        files = body.decode().split("\n")
        assert files[:2] == ["meta_data.json", "user_data"]
        status, headers, body = fetch(
            server, "/openstack/%s/meta_data.json" % version, headers=xff)
        assert (status, headers["Content-Type"]) == (200, "application/json")
        doc = json.loads(body)
        assert doc["uuid"] == vm.uuid
        assert doc["hostname"] == "web-1.example.org"
        assert doc["public_keys"] == {"mykey": keypair.public_key}
        assert doc["keys"] == [{"name": "mykey", "type": "ssh",
                                "data": keypair.public_key}]
        assert doc["meta"] == {"role": "web"}
        assert ("project_id" in doc) == (version >= "2015-10-15")
        assert ("devices" in doc) == (version >= "2016-06-30")
        assert ("random_seed" in doc) == (version >= "2013-04-04")
        for name in files[1:]:
            status, _, _ = fetch(server, "/openstack/%s/%s" % (version, name),
                                 headers=xff)
            assert status == 200, (version, name)

    status, headers, body = fetch(server, "/openstack/latest/user_data",
                                  headers=xff)
    assert (status, body) == (200, USER_DATA)

    status, _, body = fetch(server, "/latest/", headers=xff)
    assert body == b"meta-data/\nuser-data"
    assert fetch(server, "/latest/user-data", headers=xff)[2] == USER_DATA
    for version in EC2_VERSIONS:
        status, _, body = fetch(server, "/%s/meta-data/" % version,
                                headers=xff)
        assert status == 200
        listing = body.decode().split("\n")
        assert listing == sorted(listing) and "public-keys/" in listing
    assert fetch(server, "/latest/meta-data/public-keys/", headers=xff)[2] \
        == b"0=mykey"
    assert fetch(server, "/latest/meta-data/public-keys/0/openssh-key",
                 headers=xff)[2] == keypair.public_key.encode()
    assert fetch(server, "/latest/meta-data/hostname", headers=xff)[2] == \
        b"web-1.example.org"
    assert fetch(server, "/latest/meta-data/local-ipv4", headers=xff)[2] == \
        vm.fixed_ips[0].address.encode()
    assert fetch(server, "/2009-04-04/meta-data/placement/availability-zone",
                 headers=xff)[2] == b"nova"
    # Normalised paths.
    for path in ("/openstack/latest//meta_data.json/",
                 "/openstack/./2013-04-04/../latest/meta_data.json",
                 "/latest/meta-data/../meta-data/hostname/"):
        assert fetch(server, path, headers=xff)[0] == 200, path


@pytest.mark.parametrize("path", [
    "/nope", "/openstack/2099-01-01/meta_data.json", "/openstack/latest/x",
    "/openstack/2012-08-10/password", "/openstack/2013-04-04/vendor_data.json",
    "/openstack/2013-10-17/network_data.json",
    "/openstack/2016-06-30/vendor_data2.json", "/2010-01-01/meta-data/",
    "/latest/meta-data/nope", "/latest/meta-data/hostname/more",
])
def test_unknown_paths_are_plain_404(stack, path):
    server, compute, _ = stack()
    vm = boot(compute)
    status, headers, body = fetch(server, path,
                                  headers=via(vm.fixed_ips[0].address))
    assert status == 404
    assert headers["Content-Type"].startswith("text/plain")
    assert b"The resource could not be found." in body


def test_no_user_data_and_unknown_address(stack):
    server, compute, _ = stack()
    vm = boot(compute, user_data=None)
    xff = via(vm.fixed_ips[0].address)
    assert b"user_data" not in fetch(server, "/openstack/latest",
                                     headers=xff)[2]
    assert fetch(server, "/openstack/latest/user_data", headers=xff)[0] == 404
    assert fetch(server, "/latest/user-data", headers=xff)[0] == 404
    assert fetch(server, "/openstack", headers=via("10.0.0.200"))[0] == 404
    # From 127.0.0.1 itself, no fixed IP: 404.
    assert fetch(server, "/openstack")[0] == 404


def test_network_data_from_the_allocated_address(stack):
    server, compute, _ = stack()
    vm = boot(compute)
    port = vm.fixed_ips[0]
    status, _, body = fetch(server, "/openstack/latest/network_data.json",
                            headers=via(port.address))
    doc = json.loads(body)
    assert [link["ethernet_mac_address"] for link in doc["links"]] == [
        port.mac_address]
    [net] = doc["networks"]
    assert (net["type"], net["ip_address"], net["netmask"],
            net["link"]) == ("ipv4", port.address, "255.255.255.0",
                             doc["links"][0]["id"])
    assert net["routes"] == [{"network": "0.0.0.0", "netmask": "0.0.0.0",
                              "gateway": "10.0.0.1"}]
    nowhere = boot(compute, "no-net", networks="none")
    assert nowhere.fixed_ips == []


def test_vendor_data(stack, tmp_path, target):
    vendor = tmp_path / "vendor.json"
    vendor.write_text(json.dumps({"cloud": "minova", "ntp": ["10.0.0.1"]}))
    server, compute, _ = stack(api={
        "vendordata_providers": "StaticJSON,DynamicJSON",
        "vendordata_jsonfile_path": str(vendor),
        "vendordata_dynamic_targets": "dyn@%s/vendor" % target.url})
    target.answers["/vendor"] = (200, b'{"from": "target"}')
    vm = boot(compute)
    xff = via(vm.fixed_ips[0].address)
    status, headers, body = fetch(server, "/openstack/latest/vendor_data.json",
                                  headers=xff)
    assert (status, headers["Content-Type"]) == (200, "application/json")
    assert json.loads(body) == {"cloud": "minova", "ntp": ["10.0.0.1"]}
    status, _, body = fetch(server, "/openstack/latest/vendor_data2.json",
                            headers=xff)
    assert json.loads(body) == {
        "static": {"cloud": "minova", "ntp": ["10.0.0.1"]},
        "dyn": {"from": "target"}}
    sent = target.seen[0][2]
    assert (sent["instance-id"], sent["project-id"]) == (vm.uuid, "project-a")


def test_vendor_data_json_404_without_static_json(stack):
    server, compute, _ = stack(api={"vendordata_providers": "DynamicJSON"})
    vm = boot(compute)
    xff = via(vm.fixed_ips[0].address)
    assert fetch(server, "/openstack/latest/vendor_data.json",
                 headers=xff)[0] == 404
    assert json.loads(fetch(server, "/openstack/latest/vendor_data2.json",
                            headers=xff)[2]) == {}


def test_a_bad_vendordata_file_stops_startup(tmp_path):
    path = write_config(tmp_path / "api.conf", config(tmp_path, api={
        "vendordata_jsonfile_path": str(tmp_path / "missing.json")}))
    result = run_minova(["--config", path], tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "minova: [api] vendordata_jsonfile_path: cannot read %s: No such "
        "file or directory" % (tmp_path / "missing.json")]


def test_password(stack):
    server, compute, _ = stack()
    vm, other = boot(compute), boot(compute, "web-2")
    xff, xff2 = via(vm.fixed_ips[0].address), via(other.fixed_ips[0].address)
    path = "/openstack/latest/password"
    assert fetch(server, path, headers=xff)[:3:2] == (200, b"")
    assert fetch(server, path, "POST", xff, b"p" * 1021)[0] == 400
    assert fetch(server, path, "PUT", xff, b"p")[0] == 400
    assert fetch(server, path, "POST", xff, b"p" * 1020)[0] == 200
    assert fetch(server, path, headers=xff)[2] == b"p" * 1020
    assert fetch(server, path, "POST", xff, b"again")[0] == 409
    assert fetch(server, path, headers=xff2)[2] == b""


# -- identification --------------------------------------------------------

def test_identified_by_the_real_source_address(stack):
    server, compute, _ = stack(fixed_range=LOOPBACK_RANGE, oslo_middleware={
        "enable_proxy_headers_parsing": "false"})
    vm = boot(compute)
    assert vm.fixed_ips[0].address == "127.0.0.2"
    status, _, body = fetch(server, "/openstack/latest/meta_data.json",
                            source="127.0.0.2")
    assert json.loads(body)["uuid"] == vm.uuid
    # The proxy header is ignored unless enable_proxy_headers_parsing.
    assert fetch(server, "/openstack", headers=via("127.0.0.2"))[0] == 404


def test_identified_through_x_forwarded_for(stack):
    server, compute, _ = stack()
    vm = boot(compute)
    status, _, body = fetch(server, "/latest/meta-data/instance-id",
                            headers=via(vm.fixed_ips[0].address))
    assert (status, body) == (200, b"i-%08x" % vm.id)
    status, _, body = fetch(server, "/latest/meta-data/instance-id", headers=[
        ("Forwarded", "for=%s" % vm.fixed_ips[0].address)])
    assert (status, body) == (200, b"i-%08x" % vm.id)


def test_x_instance_id_is_ignored_without_the_proxy_option(stack):
    server, compute, _ = stack()
    vm = boot(compute)
    status, _, _ = fetch(server, "/openstack", headers=[
        ("X-Instance-ID", vm.uuid), ("X-Tenant-ID", "project-a"),
        ("X-Instance-ID-Signature", sign(vm.uuid))])
    assert status == 404
    assert "X-Instance-ID present in request headers" in server.log


def signed(vm, project="project-a", secret=SECRET):
    return [("X-Instance-ID", vm.uuid), ("X-Tenant-ID", project),
            ("X-Instance-ID-Signature", sign(vm.uuid, secret)),
            ("X-Forwarded-For", "10.9.9.9")]


def replace(headers, name, *values):
    """``headers`` with ``name`` given ``values`` (none: removed; several:
    repeated)."""
    return [(n, v) for n, v in headers if n != name] + [
        (name, v) for v in values]


def test_signed_request_matrix(stack):
    server, compute, _ = stack(neutron={
        "service_metadata_proxy": "true",
        "metadata_proxy_shared_secret": SECRET})
    vm = boot(compute)
    theirs = boot(compute, "theirs", Context("project-b", "user-b"))
    good = signed(vm)
    path = "/openstack/latest/meta_data.json"
    status, _, body = fetch(server, path, headers=good)
    assert (status, json.loads(body)["uuid"]) == (200, vm.uuid)
    upper = sign(vm.uuid).upper()
    cases = [
        ("missing id", replace(good, "X-Instance-ID"), 400,
         b"X-Instance-ID header is missing from request."),
        ("missing signature", replace(good, "X-Instance-ID-Signature"), 400,
         b"X-Instance-ID-Signature header is missing from request."),
        ("missing tenant", replace(good, "X-Tenant-ID"), 400,
         b"X-Tenant-ID header is missing from request."),
        ("duplicated id", replace(good, "X-Instance-ID", vm.uuid, vm.uuid),
         400, b"Multiple X-Instance-ID headers found within request."),
        ("duplicated tenant",
         replace(good, "X-Tenant-ID", "project-a", "project-a"), 400,
         b"Multiple X-Tenant-ID headers found within request."),
        ("duplicated signature", replace(
            good, "X-Instance-ID-Signature", sign(vm.uuid), sign(vm.uuid)),
         403, b"Invalid proxy request signature."),
        ("forged signature", replace(good, "X-Instance-ID-Signature",
                                     "0" * 64), 403,
         b"Invalid proxy request signature."),
        ("upper-case hex", replace(good, "X-Instance-ID-Signature", upper),
         403, b"Invalid proxy request signature."),
        ("other secret", signed(vm, secret="guess"), 403,
         b"Invalid proxy request signature."),
        ("signed for another project", signed(vm, project="project-b"), 404,
         b"The resource could not be found."),
        ("another project's server with our tenant",
         signed(theirs, project="project-a"), 404,
         b"The resource could not be found."),
        ("unknown server", replace(replace(good, "X-Instance-ID", "x" * 36),
                                   "X-Instance-ID-Signature",
                                   sign("x" * 36)), 404,
         b"The resource could not be found."),
    ]
    for name, headers, status, text in cases:
        got, _, body = fetch(server, path, headers=headers)
        assert (got, text in body) == (status, True), (name, body)
    # The other project's server is served only to its own tenant.
    status, _, body = fetch(server, path, headers=signed(theirs, "project-b"))
    assert json.loads(body)["uuid"] == theirs.uuid
    # And now the first one, cached, still never to project-b.
    assert fetch(server, path, headers=signed(vm, "project-b"))[0] == 404


def test_provider_mode(stack):
    server, compute, _ = stack(neutron={
        "service_metadata_proxy": "true",
        "metadata_proxy_shared_secret": SECRET})
    vm = boot(compute)
    good = [("X-Metadata-Provider", "lb-1"),
            ("X-Metadata-Provider-Signature", sign("lb-1")),
            ("X-Forwarded-For", vm.fixed_ips[0].address)]
    path = "/openstack/latest/meta_data.json"
    assert json.loads(fetch(server, path, headers=good)[2])["uuid"] == vm.uuid
    assert fetch(server, path, headers=replace(
        good, "X-Forwarded-For"))[0] == 400
    assert fetch(server, path, headers=replace(
        good, "X-Forwarded-For", "10.0.0.250"))[0] == 400
    assert fetch(server, path, headers=replace(
        good, "X-Metadata-Provider-Signature", "bad"))[0] == 403


# -- cache, deletion ---------------------------------------------------------

def test_a_change_shows_once_the_cache_expires(stack):
    server, compute, _ = stack(api={"metadata_cache_expiration": 1})
    vm = boot(compute, metadata={"v": "1"})
    xff = via(vm.fixed_ips[0].address)
    path = "/openstack/latest/meta_data.json"
    assert json.loads(fetch(server, path, headers=xff)[2])["meta"] == {
        "v": "1"}
    compute.servers.update_metadata(Context(), vm.uuid, {"v": "2"})
    first = json.loads(fetch(server, path, headers=xff)[2])
    assert first["meta"] == {"v": "1"}
    second = {}

    def changed():
        second.update(json.loads(fetch(server, path, headers=xff)[2]))
        return second["meta"] == {"v": "2"}
    wait_for(changed, what="the cached document to expire")
    assert first["random_seed"] != second["random_seed"]


def test_no_cache_with_expiration_0(stack):
    server, compute, _ = stack(api={"metadata_cache_expiration": 0})
    vm = boot(compute)
    xff = via(vm.fixed_ips[0].address)
    assert fetch(server, "/latest/meta-data/hostname", headers=xff)[2] == \
        b"web-1.novalocal"
    compute.servers.update(Context(), vm.uuid, hostname="renamed")
    assert fetch(server, "/latest/meta-data/hostname", headers=xff)[2] == \
        b"renamed.novalocal"


def test_a_deleted_server_is_gone(stack):
    server, compute, _ = stack(api={"metadata_cache_expiration": 1},
                               neutron={"service_metadata_proxy": "false"})
    vm = boot(compute)
    xff = via(vm.fixed_ips[0].address)
    assert fetch(server, "/openstack/latest/meta_data.json",
                 headers=xff)[0] == 200
    compute.servers.delete(Context(), vm.uuid)
    wait_for(lambda: fetch(server, "/openstack/latest/meta_data.json",
                           headers=xff)[0] == 404,
             what="the deleted server's cached document to expire")


def test_a_deleted_server_is_gone_for_the_proxy(stack):
    server, compute, _ = stack(api={"metadata_cache_expiration": 0}, neutron={
        "service_metadata_proxy": "true",
        "metadata_proxy_shared_secret": SECRET})
    vm = boot(compute)
    assert fetch(server, "/openstack", headers=signed(vm))[0] == 200
    compute.servers.delete(Context(), vm.uuid)
    assert fetch(server, "/openstack", headers=signed(vm))[0] == 404


# -- the way cloud-init reads it ---------------------------------------------

#: cloud-init's OpenStack versions, newest last (its helpers/openstack.py).
CLOUD_INIT_VERSIONS = ["2012-08-10", "2013-04-04", "2013-10-17",
                       "2015-10-15", "2016-06-30", "2016-10-06",
                       "2017-02-22", "2018-08-27"]


class Reader:
    """cloud-init's OpenStack datasource reader (MetadataReader.read_v2),
    request for request: the versions list, the newest version both know,
    meta_data.json (required), user_data, vendor_data.json,
    vendor_data2.json and network_data.json (optional: an error status
    means absent), then the EC2 tree under latest/."""

    def __init__(self, server, source):
        self.server = server
        self.source = source
        self.requests = []

    def read(self, path):
        self.requests.append(path)
        status, _, body = fetch(self.server, path, source=self.source)
        if status >= 400:
            raise IOError("%s: %d" % (path, status))
        return body

    def read_v2(self):
        versions = [line.strip() for line in
                    self.read("/openstack").decode().splitlines()
                    if line.strip()]
        version = next((v for v in reversed(CLOUD_INIT_VERSIONS)
                        if v in versions), "latest")
        results = {"version": 2, "userdata": "", "selected": version}
        files = [("metadata", "meta_data.json", True),
                 ("userdata", "user_data", False),
                 ("vendordata", "vendor_data.json", False),
                 ("vendordata2", "vendor_data2.json", False),
                 ("networkdata", "network_data.json", False)]
        for key, name, required in files:
            try:
                data = self.read("/openstack/%s/%s" % (version, name))
            except IOError:
                if required:
                    raise
                continue
            results[key] = data if key == "userdata" else json.loads(data)
        metadata = results["metadata"]
        metadata["random_seed"] = base64.b64decode(metadata["random_seed"])
        metadata["instance-id"] = metadata["uuid"]
        metadata["local-hostname"] = metadata["hostname"]
        results["ec2-metadata"] = self.ec2_tree("/latest/meta-data/")
        return results

    def ec2_tree(self, base_path):
        """cloud-init's EC2 materializer: walk a listing; ``k/`` is a
        subtree, ``0=name`` a key index."""
        tree = {}
        for line in self.read(base_path).decode().splitlines():
            if not line:
                continue
            if line.endswith("/"):
                tree[line[:-1]] = self.ec2_tree(base_path + line)
            elif "=" in line:
                index, _, _name = line.partition("=")
                tree[index] = self.ec2_tree(base_path + index + "/")
            else:
                tree[line] = self.read(base_path + line).decode()
        return tree


def test_cloud_init_reads_a_server(stack, tmp_path):
    vendor = tmp_path / "vendor.json"
    vendor.write_text(json.dumps({"cloud-init": "#cloud-config\n{}"}))
    server, compute, _ = stack(fixed_range=LOOPBACK_RANGE,
                               api={"vendordata_jsonfile_path": str(vendor)})
    keypair = compute.keypairs.create(Context(), "mykey")[0]
    vm = boot(compute, metadata={"dsmode": "net"}, key_name="mykey")
    address = vm.fixed_ips[0].address
    reader = Reader(server, source=address)
    results = reader.read_v2()
    assert results["selected"] == "2018-08-27"
    metadata = results["metadata"]
    assert metadata["instance-id"] == vm.uuid
    assert metadata["local-hostname"] == "web-1.novalocal"
    assert metadata["public_keys"] == {"mykey": keypair.public_key}
    assert len(metadata["random_seed"]) == 512
    assert metadata["meta"]["dsmode"] == "net"
    assert results["userdata"] == USER_DATA
    assert results["vendordata"] == {"cloud-init": "#cloud-config\n{}"}
    assert results["vendordata2"] == {"static": results["vendordata"]}
    net = results["networkdata"]
    assert [n["ip_address"] for n in net["networks"]
            if n["type"] == "ipv4"] == [address]
    assert {link["id"] for link in net["links"]} == {
        n["link"] for n in net["networks"]}
    ec2 = results["ec2-metadata"]
    assert ec2["instance-id"] == "i-%08x" % vm.id
    assert ec2["local-ipv4"] == address
    assert ec2["public-keys"]["0"]["openssh-key"] == keypair.public_key
    assert ec2["placement"]["availability-zone"] == "nova"
    assert reader.requests[:6] == [
        "/openstack", "/openstack/2018-08-27/meta_data.json",
        "/openstack/2018-08-27/user_data",
        "/openstack/2018-08-27/vendor_data.json",
        "/openstack/2018-08-27/vendor_data2.json",
        "/openstack/2018-08-27/network_data.json"]


def test_a_server_booted_through_the_compute_api(stack):
    """Boot, change and delete through HTTP; the metadata follows once the
    cache expires."""
    server, compute, _ = stack(api={"metadata_cache_expiration": 1})
    token = {"X-Auth-Token": "user-a:project-a"}
    servers_url = server.url("osapi_compute", "/v2.1/servers")
    response = requests.post(servers_url, headers=token, json={"server": {
        "name": "via-api", "flavorRef": "1",
        "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b",
        "user_data": base64.b64encode(USER_DATA).decode(),
        "metadata": {"from": "api"}}})
    if response.status_code == 404:
        pytest.skip("POST /v2.1/servers answers 404: the compute API's "
                    "server resources are not built yet")
    assert response.status_code == 202, response.text
    uuid = response.json()["server"]["id"]
    vm = compute.metadata.get_by_uuid(uuid)
    xff = via(vm.fixed_ips[0].address)
    path = "/openstack/latest/meta_data.json"
    doc = json.loads(fetch(server, path, headers=xff)[2])
    assert (doc["uuid"], doc["name"], doc["meta"], doc["project_id"]) == (
        uuid, "via-api", {"from": "api"}, "project-a")
    assert fetch(server, "/openstack/latest/user_data",
                 headers=xff)[2] == USER_DATA

    response = requests.post("%s/%s/metadata" % (servers_url, uuid),
                             headers=token,
                             json={"metadata": {"changed": "yes"}})
    assert response.status_code == 200, response.text
    wait_for(lambda: json.loads(fetch(server, path, headers=xff)[2])[
        "meta"] == {"from": "api", "changed": "yes"},
        what="the cached document to expire")

    response = requests.delete("%s/%s" % (servers_url, uuid), headers=token)
    assert response.status_code == 204, response.text
    wait_for(lambda: fetch(server, path, headers=xff)[0] == 404,
             what="the deleted server's cached document to expire")
