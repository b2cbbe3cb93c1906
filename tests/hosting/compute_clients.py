"""tempest.lib's compute clients against a nova compute API; prints JSON.

Run with the hosting venv's python (tempest is installed there, not in the
pytest venv):

    python compute_clients.py URL TOKEN MICROVERSION[,MICROVERSION...]

URL is nova's root (``http://127.0.0.1:PORT``), TOKEN a token the API
accepts with the admin role (a fixed tokenauth token or a keystone one).
At each microversion it lists versions, creates a flavor, lists and shows
it, creates and lists a keypair, shows limits and lists availability zones.
tempest.lib validates every response against its JSON schema for that
microversion and raises on a mismatch, so a printed result means nova
answered what its API reference says, through the host under test.
"""

import json
import sys
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tempest.lib import auth
from tempest.lib.services.compute import availability_zone_client
from tempest.lib.services.compute import base_compute_client
from tempest.lib.services.compute import flavors_client
from tempest.lib.services.compute import keypairs_client
from tempest.lib.services.compute import limits_client
from tempest.lib.services.compute import versions_client


class FixedTokenAuth(auth.AuthProvider):
    """A token known in advance and one endpoint, no identity service:
    what tempest.lib's RestClient asks of an auth provider."""

    def __init__(self, base, token):
        super().__init__(auth.KeystoneV3Credentials(
            username="admin", project_name="admin", user_id="admin",
            project_id="admin", password="unused",
            user_domain_name="Default", project_domain_name="Default"))
        self.base, self.token = base, token

    def _decorate_request(self, filters, method, url, headers=None,
                          body=None, auth_data=None):
        headers = dict(headers or {}, **{"X-Auth-Token": self.token})
        return self.base_url(filters) + "/" + url.lstrip("/"), headers, body

    def _get_auth(self):
        return self.token, None

    def _fill_credentials(self, auth_data_body):
        pass

    def _auth_client(self):
        raise NotImplementedError("the token is fixed")

    def _auth_params(self):
        return {}

    def is_expired(self, auth_data):
        return False

    def base_url(self, filters, auth_data=None):
        if filters.get("skip_path"):
            return self.base
        return self.base + "/v2.1"

    def get_token(self):
        return self.token


def public_key():
    """An OpenSSH public key: since 2.92 nova no longer generates one."""
    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH).decode()


def run_at(provider, microversion):
    base_compute_client.COMPUTE_MICROVERSION = microversion
    kwargs = dict(service="compute", region="RegionOne")
    flavors = flavors_client.FlavorsClient(provider, **kwargs)
    keypairs = keypairs_client.KeyPairsClient(provider, **kwargs)
    name = "hosting-%s" % uuid.uuid4().hex[:8]
    versions = versions_client.VersionsClient(provider, **kwargs)
    listed = versions.list_versions()["versions"]
    created = flavors.create_flavor(name=name, ram=512, vcpus=1, disk=1,
                                    id=name)["flavor"]
    shown = flavors.show_flavor(created["id"])["flavor"]
    listed_flavors = [f["id"] for f in flavors.list_flavors()["flavors"]]
    detailed = [f["id"] for f in
                flavors.list_flavors(detail=True)["flavors"]]
    keypair = keypairs.create_keypair(name=name,
                                     public_key=public_key())["keypair"]
    keypair_names = [k["keypair"]["name"]
                     for k in keypairs.list_keypairs()["keypairs"]]
    limits = limits_client.LimitsClient(provider, **kwargs).show_limits()
    zones = availability_zone_client.AvailabilityZoneClient(
        provider, **kwargs).list_availability_zones()
    flavors.delete_flavor(created["id"])
    keypairs.delete_keypair(name)
    return {
        "versions": {v["id"]: v["version"] for v in listed},
        "flavor": {"created": created["id"], "shown": shown["name"],
                   "listed": created["id"] in listed_flavors,
                   "detailed": created["id"] in detailed},
        "keypair": {"created": keypair["name"],
                    "listed": name in keypair_names},
        "limits": sorted(limits["limits"]["absolute"]),
        "zones": zones["availabilityZoneInfo"],
    }


def main(url, token, microversions):
    provider = FixedTokenAuth(url.rstrip("/"), token)
    print(json.dumps({mv: run_at(provider, mv)
                      for mv in microversions.split(",")}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
