"""The metadata app in process: its URL tree, documents per version, identification and errors."""

import base64
import hashlib
import hmac
import json

import pytest
import webob

from minova_tw import conf as minova_conf
from minova_tw.api.metadata import base, handler

ADDRESS = "10.0.0.2"
SECRET = "s3cret"

#: meta_data.json keys of a server with metadata and a key, by version.
MD_KEYS = {base.FOLSOM: {"uuid", "meta", "public_keys", "keys", "hostname",
                         "name", "launch_index", "availability_zone"}}
MD_KEYS[base.GRIZZLY] = MD_KEYS[base.HAVANA] = \
    MD_KEYS[base.FOLSOM] | {"random_seed"}
MD_KEYS[base.LIBERTY] = MD_KEYS[base.HAVANA] | {"project_id"}
for _v in (base.NEWTON_ONE, base.NEWTON_TWO, base.OCATA, base.ROCKY):
    MD_KEYS[_v] = MD_KEYS[base.LIBERTY] | {"devices"}
MD_KEYS[base.VICTORIA] = MD_KEYS[base.EPOXY] = \
    MD_KEYS[base.ROCKY] | {"dedicated_cpus"}

#: EC2 meta-data keys of a server with a key, by version.
EC2_KEYS = {"1.0": {"ami-id", "ami-launch-index", "ami-manifest-path",
                    "instance-id", "hostname", "local-ipv4",
                    "reservation-id", "security-groups", "public-keys"}}
EC2_KEYS["2007-01-19"] = EC2_KEYS["2007-03-01"] = EC2_KEYS["1.0"] | {
    "local-hostname", "public-hostname", "public-ipv4"}
EC2_KEYS["2007-08-29"] = EC2_KEYS["2007-10-10"] = \
    EC2_KEYS["2007-01-19"] | {"instance-type"}
EC2_KEYS["2007-12-15"] = EC2_KEYS["2007-08-29"] | {"block-device-mapping"}
EC2_KEYS["2008-02-01"] = EC2_KEYS["2007-12-15"] | {"placement"}
EC2_KEYS["2008-09-01"] = EC2_KEYS["2009-04-04"] = \
    EC2_KEYS["2008-02-01"] | {"instance-action"}


def sign(value, secret=SECRET):
    return hmac.new(secret.encode(), value.encode(),
                    hashlib.sha256).hexdigest()


@pytest.fixture
def keypair(compute, ctx):
    return compute.keypairs.create(ctx, "mykey")[0]


@pytest.fixture
def server(compute, ctx, keypair):
    return compute.servers.create(
        ctx, "Web One", "1", user_data=base64.b64encode(b"\xffraw").decode(),
        metadata={"role": "web"}, key_name="mykey")[0]


@pytest.fixture
def make_app(conf, compute, override):
    def make(today="2030-01-01", **options):
        for name, value in options.items():
            group, _, option = name.partition("__")
            override(option, value, group)
        return handler.MetadataRequestHandler(conf, compute, today=today)
    return make


@pytest.fixture
def app(make_app):
    return make_app()


def get(app, path, address=ADDRESS, method="GET", **kwargs):
    return webob.Request.blank(path, remote_addr=address, method=method,
                               **kwargs).get_response(app)


def test_root_lists_ec2_versions_without_a_server(app):
    res = get(app, "/", address="192.0.2.1")
    assert res.status_int == 200
    assert res.content_type == "text/plain"
    assert res.text.split("\n") == list(base.EC2_VERSIONS) + ["latest"]


def test_openstack_versions_stop_at_today(make_app, server):
    res = get(make_app(today="2017-03-01"), "/openstack")
    assert res.text.split("\n") == [
        "2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
        "2016-10-06", "2017-02-22", "latest"]
    assert get(make_app(today="2017-03-01"),
               "/openstack/2018-08-27/meta_data.json").status_int == 404


def test_meta_data_json_keys_by_version(app, server, keypair):
    for version in base.OPENSTACK_VERSIONS:
        res = get(app, "/openstack/%s/meta_data.json" % version)
        assert res.status_int == 200
        assert res.content_type == "application/json"
        doc = res.json
        assert set(doc) == MD_KEYS[version], version
        if "random_seed" in doc:
            assert len(base64.b64decode(doc["random_seed"])) == 512
    assert {k: v for k, v in doc.items() if k != "random_seed"} == {
        "uuid": server.uuid, "meta": {"role": "web"},
        "public_keys": {"mykey": keypair.public_key},
        "keys": [{"name": "mykey", "type": "ssh",
                  "data": keypair.public_key}],
        "hostname": "web-one.novalocal", "name": "Web One",
        "launch_index": 0, "availability_zone": "nova",
        "project_id": "project-a", "devices": [], "dedicated_cpus": []}


def test_random_seed_is_new_on_each_request(app, server):
    seeds = {get(app, "/openstack/latest/meta_data.json").json["random_seed"]
             for _ in range(3)}
    assert len(seeds) == 3


def test_no_meta_no_keys_bare_hostname(make_app, compute, ctx):
    compute.servers.create(ctx, "plain", "1")
    doc = get(make_app(api__dhcp_domain=""),
              "/openstack/latest/meta_data.json").json
    assert doc["hostname"] == "plain"
    assert not {"meta", "public_keys", "keys"} & set(doc)
    assert doc["devices"] == [] and doc["dedicated_cpus"] == []


def test_version_listing_and_files(app, server):
    assert get(app, "/openstack/2012-08-10").text.split("\n") == [
        "meta_data.json", "user_data"]
    assert get(app, "/openstack/latest/").text.split("\n") == [
        "meta_data.json", "user_data", "password", "vendor_data.json",
        "network_data.json", "vendor_data2.json"]
    res = get(app, "/openstack/latest/user_data")
    assert res.body == b"\xffraw"
    for path in ("/openstack/2012-08-10/password",
                 "/openstack/2013-04-04/vendor_data.json",
                 "/openstack/2013-10-17/network_data.json",
                 "/openstack/2016-06-30/vendor_data2.json"):
        assert get(app, path).status_int == 404, path


def test_no_user_data(app, compute, ctx):
    compute.servers.create(ctx, "plain", "1")
    assert "user_data" not in get(app, "/openstack/latest").text.split("\n")
    assert get(app, "/openstack/latest/user_data").status_int == 404
    assert get(app, "/latest").text == "meta-data/"
    assert get(app, "/latest/user-data").status_int == 404


def test_network_data(app, server):
    doc = get(app, "/openstack/latest/network_data.json").json
    mac = server.fixed_ips[0].mac_address
    [link] = doc["links"]
    assert link["ethernet_mac_address"] == mac
    assert link["id"] == "tap" + link["vif_id"][:11]
    assert doc["networks"] == [{
        "id": "network0", "type": "ipv4", "link": link["id"],
        "ip_address": ADDRESS, "netmask": "255.255.255.0",
        "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0",
                    "gateway": "10.0.0.1"}],
        "network_id": doc["networks"][0]["network_id"], "services": []}]
    assert doc["services"] == []


def test_network_data_without_ports(conf):
    class NoPorts:
        fixed_ips = []
    assert base.network_data(conf, NoPorts()) == {}


def test_ec2_meta_data_keys_by_version(app, server):
    for version in base.EC2_VERSIONS:
        listing = get(app, "/%s/meta-data/" % version).text.split("\n")
        assert listing == sorted(listing)
        assert {line.rstrip("/") for line in listing} == EC2_KEYS[version]


def test_ec2_tree(app, server, keypair):
    assert get(app, "/latest/").text == "meta-data/\nuser-data"
    assert get(app, "/latest/user-data").body == b"\xffraw"
    values = {name: get(app, "/2009-04-04/meta-data/" + name).text
              for name in ("hostname", "local-hostname", "local-ipv4",
                           "instance-id", "ami-manifest-path",
                           "instance-type", "instance-action",
                           "placement/availability-zone", "security-groups",
                           "reservation-id", "ami-launch-index",
                           "public-ipv4", "public-keys/0/openssh-key")}
    assert values == {
        "hostname": "web-one.novalocal", "local-hostname": "web-one.novalocal",
        "local-ipv4": ADDRESS, "instance-id": "i-%08x" % server.id,
        "ami-manifest-path": "FIXME", "instance-type": "m1.tiny",
        "instance-action": "none", "placement/availability-zone": "nova",
        "security-groups": "default",
        "reservation-id": server.reservation_id, "ami-launch-index": "0",
        "public-ipv4": "", "public-keys/0/openssh-key": keypair.public_key}
    assert get(app, "/latest/meta-data/public-keys").text == "0=mykey"
    assert get(app, "/latest/meta-data/public-keys/0/").text == "openssh-key"
    assert get(app, "/latest/meta-data/placement").text == "availability-zone"
    assert get(app, "/latest/meta-data/block-device-mapping").text == \
        "ami\nroot"
    assert get(app, "/latest/meta-data/block-device-mapping/root").text == \
        "/dev/vda"


@pytest.mark.parametrize("path", [
    "/openstack/latest//meta_data.json/", "/openstack/./latest/meta_data.json",
    "/openstack/foo/../latest/meta_data.json",
    "//openstack/latest/meta_data.json",
])
def test_paths_are_normalised(app, server, path):
    assert get(app, path).json["uuid"] == server.uuid


@pytest.mark.parametrize("path", [
    "/nope", "/openstack/2099-01-01", "/openstack/latest/nope",
    "/openstack/latest/meta_data.json/uuid", "/openstack/content/0000",
    "/2010-01-01/meta-data/", "/latest/meta-data/nope",
    "/latest/meta-data/hostname/x", "/latest/meta-data/public-keys/0/_name",
    "/latest/meta-data/public-keys/1",
])
def test_unknown_paths_are_plain_404(app, server, path):
    res = get(app, path)
    assert res.status_int == 404
    assert res.content_type == "text/plain"
    assert "The resource could not be found." in res.text


def test_unknown_address_is_404(app, server):
    assert get(app, "/openstack", address="10.0.0.99").status_int == 404


def test_x_instance_id_is_ignored_without_the_proxy_option(app, server):
    res = get(app, "/openstack/latest/meta_data.json", address="10.0.0.99",
              headers={"X-Instance-ID": server.uuid})
    assert res.status_int == 404


def test_use_forwarded_for(make_app, server):
    app = make_app(api__use_forwarded_for=True)
    res = get(app, "/openstack/latest/meta_data.json", address="192.0.2.1",
              headers={"X-Forwarded-For": "%s, 192.0.2.7" % ADDRESS})
    assert res.json["uuid"] == server.uuid


def test_a_failed_lookup_is_500(conf):
    class Broken:
        class metadata:
            @staticmethod
            def get_by_address(address):
                raise RuntimeError("database gone")
    res = get(handler.MetadataRequestHandler(conf, Broken()), "/openstack")
    assert res.status_int == 500
    assert "An unknown error has occurred." in res.text


# -- neutron's proxy -----------------------------------------------------

@pytest.fixture
def proxy_app(make_app):
    return make_app(neutron__service_metadata_proxy=True,
                    neutron__metadata_proxy_shared_secret=SECRET)


def proxied(app, server, project="project-a", **headers):
    values = {"X-Instance-ID": server.uuid,
              "X-Instance-ID-Signature": sign(server.uuid),
              "X-Tenant-ID": project, "X-Forwarded-For": ADDRESS}
    values.update(headers)
    values = {k: v for k, v in values.items() if v is not None}
    return get(app, "/openstack/latest/meta_data.json", address="192.0.2.1",
               headers=values)


def test_signed_request(proxy_app, server):
    assert proxied(proxy_app, server).json["uuid"] == server.uuid


@pytest.mark.parametrize("headers, status, text", [
    ({"X-Instance-ID": None}, 400, "X-Instance-ID header is missing"),
    ({"X-Instance-ID-Signature": None}, 400,
     "X-Instance-ID-Signature header is missing"),
    ({"X-Tenant-ID": None}, 400, "X-Tenant-ID header is missing"),
    ({"X-Instance-ID-Signature": "0" * 64}, 403,
     "Invalid proxy request signature."),
    ({"X-Tenant-ID": "project-b"}, 404, ""),
])
def test_signed_request_errors(proxy_app, server, headers, status, text):
    res = proxied(proxy_app, server, **headers)
    assert res.status_int == status
    assert text in res.text


def test_signed_request_repeated_headers(proxy_app, server):
    res = proxied(proxy_app, server,
                  **{"X-Instance-ID": "%s,%s" % (server.uuid, server.uuid)})
    assert res.status_int == 400
    assert "Multiple X-Instance-ID headers" in res.text
    res = proxied(proxy_app, server, **{"X-Tenant-ID": "a,b"})
    assert res.status_int == 400
    assert "Multiple X-Tenant-ID headers" in res.text


def test_signed_request_for_an_unknown_server(proxy_app, server):
    res = proxied(proxy_app, server, **{
        "X-Instance-ID": "nope", "X-Instance-ID-Signature": sign("nope")})
    assert res.status_int == 404


def test_an_empty_secret_is_refused_by_the_app_under_any_host(make_app):
    """minova refuses to start (tests/functional/test_startup.py); the app
    refuses too, for a host that makes no such check (gunicorn, uWSGI):
    anyone could sign with an empty key."""
    with pytest.raises(minova_conf.ConfigError, match="metadata_proxy_shared"
                       "_secret: with an empty secret"):
        make_app(neutron__service_metadata_proxy=True)


def test_provider_mode(proxy_app, server):
    def provider(**headers):
        return get(proxy_app, "/openstack/latest/meta_data.json",
                   address="192.0.2.1", headers=headers)
    good = {"X-Metadata-Provider": "lb-1",
            "X-Metadata-Provider-Signature": sign("lb-1"),
            "X-Forwarded-For": ADDRESS}
    assert provider(**good).json["uuid"] == server.uuid
    assert provider(**{**good, "X-Forwarded-For": ""}).status_int == 400
    assert provider(**{**good, "X-Forwarded-For": "10.0.0.99"}) \
        .status_int == 400
    assert provider(**{**good, "X-Metadata-Provider-Signature": "x"}) \
        .status_int == 403


# -- password ------------------------------------------------------------

def test_password(app, server):
    path = "/openstack/latest/password"
    assert get(app, path).body == b""
    assert get(app, path, method="POST", body=b"y" * 1021).status_int == 400
    assert get(app, path, method="PUT", body=b"x").status_int == 400
    assert get(app, path, method="POST", body=b"secret").status_int == 200
    assert get(app, path).body == b"secret"
    assert get(app, path, method="POST", body=b"again").status_int == 409


def test_password_conflict_from_the_database(app, server, compute):
    get(app, "/openstack/latest/password")  # cached without a password
    compute.metadata.set_password(server.uuid, "set elsewhere")
    res = get(app, "/openstack/latest/password", method="POST", body=b"x")
    assert res.status_int == 409


# -- cache ---------------------------------------------------------------

def test_cache_serves_until_it_expires(make_app, server, compute, ctx):
    app = make_app()
    app.cache.clock = clock = FakeClock()
    assert get(app, "/latest/meta-data/hostname").text == "web-one.novalocal"
    compute.servers.update(ctx, server.uuid, hostname="renamed")
    assert get(app, "/latest/meta-data/hostname").text == "web-one.novalocal"
    clock.now += 15
    assert get(app, "/latest/meta-data/hostname").text == "renamed.novalocal"


def test_no_cache_when_expiration_is_0(make_app, server, compute, ctx,
                                      clock):
    app = make_app(api__metadata_cache_expiration=0)
    get(app, "/openstack/latest/meta_data.json")
    clock.advance(60)  # ACTIVE: metadata may change
    compute.servers.update_metadata(ctx, server.uuid, {"role": "db"})
    assert get(app, "/openstack/latest/meta_data.json").json["meta"] == {
        "role": "db"}
    compute.servers.delete(ctx, server.uuid)
    assert get(app, "/openstack/latest/meta_data.json").status_int == 404


class FakeClock:
    now = 1000.0

    def __call__(self):
        return self.now


def test_ec2_md_print():
    assert base.ec2_md_print({"b": 1, "a": {"x": 1}, "c": {"_name": "0=k"},
                              "_name": "hidden"}) == "a/\nb\n0=k"
    assert base.ec2_md_print(["a", "b"]) == "a\nb"
    assert base.ec2_md_print(3) == "3"


def test_meta_data_json_is_valid_json_with_seed(app, server):
    body = get(app, "/openstack/latest/meta_data.json").body
    assert json.loads(body)["random_seed"]
