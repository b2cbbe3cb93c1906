"""One server's metadata documents: the OpenStack tree and the EC2 tree, per version.

``InstanceMetadata`` is built once from the server's database row when the
handler identifies the server, and cached with it; each document is built
the first time a version asks for it and kept, so a cached request only
looks up a path. ``meta_data.json`` is kept as serialized JSON and only its
``random_seed`` (512 fresh random bytes, base64) is added per request.

``lookup(tokens)`` maps a normalised path to ``(data, mime type)``:
``data`` is bytes (a file, served as it is), anything else for
``ec2_md_print`` (a listing or a value), or ``PASSWORD`` for the password
file, which the handler serves. A path that is not in the tree raises
InvalidMetadataPath (the handler's 404).

Where minova has no counterpart of a nova field it says so here: EC2 ids are
``i-%08x`` of the row id and ``ami-%08x`` of the CRC-32 of the image ref
(there is no EC2 id mapping); there are no floating IPs (public-ipv4 is
""), no kernel or ramdisk, no tagged devices (``devices`` is []);
``dedicated_cpus`` lists CPUs 0..vcpus-1 when the flavor asks for
``hw:cpu_policy=dedicated`` (the simulated host's pinning). The network
is minova's one static IPv4 network (``[minova] fixed_range``).
"""

import base64
import json
import os
import uuid
import zlib

from minova_tw.compute import metadata as compute_metadata
from minova_tw.compute import network, servers

EC2_VERSIONS = ("1.0", "2007-01-19", "2007-03-01", "2007-08-29",
                "2007-10-10", "2007-12-15", "2008-02-01", "2008-09-01",
                "2009-04-04")
FOLSOM = "2012-08-10"
GRIZZLY = "2013-04-04"
HAVANA = "2013-10-17"
LIBERTY = "2015-10-15"
NEWTON_ONE = "2016-06-30"
NEWTON_TWO = "2016-10-06"
OCATA = "2017-02-22"
ROCKY = "2018-08-27"
VICTORIA = "2020-10-14"
EPOXY = "2025-04-04"
OPENSTACK_VERSIONS = (FOLSOM, GRIZZLY, HAVANA, LIBERTY, NEWTON_ONE,
                      NEWTON_TWO, OCATA, ROCKY, VICTORIA, EPOXY)
LATEST = "latest"

MIME_TEXT = "text/plain"
MIME_JSON = "application/json"
MD_JSON = "meta_data.json"
USER_DATA = "user_data"
PASSWORD_FILE = "password"
VD_JSON = "vendor_data.json"
NW_JSON = "network_data.json"
VD2_JSON = "vendor_data2.json"
#: The password file: the handler serves it (GET and POST).
PASSWORD = object()
#: Stable ids of minova's ports and network (it has no neutron to name them).
_ID_NAMESPACE = uuid.UUID("6d696e6f-7661-4d65-7461-646174610000")
ROOT_DEVICE = "/dev/vda"


class InvalidMetadataPath(LookupError):
    """The path is not in the tree: 404."""


def ec2_md_print(data):
    """A value as the metadata service prints it: a dict as its sorted keys,
    sub-dicts with a trailing ``/`` (or their ``_name``); a list one item
    per line; anything else as text."""
    if isinstance(data, dict):
        lines = []
        for key in sorted(data):
            if key == "_name":
                continue
            value = data[key]
            if isinstance(value, dict):
                lines.append(str(value.get("_name", key + "/")))
            else:
                lines.append(key)
        return "\n".join(lines)
    if isinstance(data, (list, tuple)):
        return "\n".join(str(item) for item in data)
    return str(data)


def available_versions(today):
    """The OpenStack versions released by ``today`` (an ISO date)."""
    return tuple(v for v in OPENSTACK_VERSIONS if v <= today)


def _security_group_names(groups):
    return [g["name"] if isinstance(g, dict) else str(g) for g in groups]


def network_data(conf, instance):
    """network_data.json of ``instance``: a link and a static IPv4 network
    per fixed IP, the default route through the gateway; {} with none."""
    ports = network.network_info(conf, instance)
    if not ports:
        return {}
    links, networks = [], []
    for index, port in enumerate(ports):
        vif_id = str(uuid.uuid5(_ID_NAMESPACE, "port:" + port["mac_address"]))
        link_id = "tap" + vif_id[:11]
        links.append({"id": link_id, "vif_id": vif_id, "type": "ovs",
                      "mtu": 1500,
                      "ethernet_mac_address": port["mac_address"]})
        default = "0.0.0.0" if port["version"] == 4 else "::"
        networks.append({
            "id": "network%d" % index, "type": "ipv%d" % port["version"],
            "link": link_id, "ip_address": port["address"],
            "netmask": port["netmask"],
            "routes": [{"network": default, "netmask": default,
                        "gateway": port["gateway"]}],
            "network_id": str(uuid.uuid5(_ID_NAMESPACE,
                                         "network:" + port["network"])),
            "services": []})
    return {"links": links, "networks": networks, "services": []}


class InstanceMetadata:
    """The metadata of one server, as its row was when it was identified."""

    def __init__(self, conf, instance, vendordata, versions):
        self.conf = conf
        self.vendordata = vendordata
        self.versions = versions
        self.uuid = instance.uuid
        self.project_id = instance.project_id
        self.instance = instance
        self.user_data = servers.decode_user_data(instance)
        self.password = compute_metadata.password(instance)
        domain = conf.api.dhcp_domain
        self.hostname = ("%s.%s" % (instance.hostname, domain) if domain
                         else instance.hostname)
        self.addresses = [ip.address for ip in instance.fixed_ips]
        self._meta_json = {}
        self._ec2 = {}
        self._files = {}

    # -- paths -----------------------------------------------------------

    def lookup(self, tokens):
        """``(data, mime type)`` of the path ``tokens`` (not empty)."""
        if tokens[0] == "openstack":
            return self._openstack(tokens[1:])
        return self._ec2_lookup(tokens)

    def _openstack(self, tokens):
        if not tokens:
            return self.versions + (LATEST,), MIME_TEXT
        version = tokens[0]
        if version == LATEST:
            version = self.versions[-1]
        elif version not in self.versions:
            raise InvalidMetadataPath(version)
        if len(tokens) == 1:
            return self._listing(version), MIME_TEXT
        if len(tokens) > 2:
            raise InvalidMetadataPath("/".join(tokens))
        name = tokens[1]
        if name == MD_JSON:
            return self.meta_data_json(version), MIME_JSON
        if name == USER_DATA and self.user_data is not None:
            return self.user_data, MIME_TEXT
        if name == PASSWORD_FILE and version >= GRIZZLY:
            return PASSWORD, MIME_TEXT
        if (name == VD_JSON and version >= HAVANA
                and self.vendordata.has_static):
            return self._file(VD_JSON, self._static_vendor_data), MIME_JSON
        if name == NW_JSON and version >= LIBERTY:
            return self._file(NW_JSON, self._network_data), MIME_JSON
        if name == VD2_JSON and version >= NEWTON_TWO:
            return self._file(VD2_JSON, self._vendor_data2), MIME_JSON
        raise InvalidMetadataPath(name)

    def _listing(self, version):
        files = [MD_JSON]
        if self.user_data is not None:
            files.append(USER_DATA)
        for name, since in ((PASSWORD_FILE, GRIZZLY), (VD_JSON, HAVANA),
                            (NW_JSON, LIBERTY), (VD2_JSON, NEWTON_TWO)):
            if version >= since:
                files.append(name)
        return files

    def _ec2_lookup(self, tokens):
        version = tokens[0]
        if version == LATEST:
            version = EC2_VERSIONS[-1]
        elif version not in EC2_VERSIONS:
            raise InvalidMetadataPath(version)
        data = self.ec2_data(version)
        for token in tokens[1:]:
            if token == "_name" or not isinstance(data, dict):
                raise InvalidMetadataPath(token)
            try:
                data = data[token]
            except KeyError:
                raise InvalidMetadataPath(token) from None
        return data, MIME_TEXT

    # -- OpenStack documents -------------------------------------------

    def meta_data_json(self, version):
        """meta_data.json at ``version`` as bytes, with a new random_seed."""
        static = self._meta_json.get(version)
        if static is None:
            static = self._meta_json[version] = self._meta_static(version)
        if version < GRIZZLY:
            return static
        seed = base64.b64encode(os.urandom(512))
        return b"".join((static[:-1], b', "random_seed": "', seed, b'"}'))

    def _meta_static(self, version):
        """meta_data.json without random_seed, serialized."""
        instance = self.instance
        doc = {"uuid": instance.uuid}
        if instance.meta:
            doc["meta"] = dict(instance.meta)
        if instance.key_name:
            doc["public_keys"] = {instance.key_name: instance.key_data}
            doc["keys"] = [{"name": instance.key_name,
                            "type": instance.key_type,
                            "data": instance.key_data}]
        doc.update(hostname=self.hostname, name=instance.name,
                   launch_index=instance.launch_index,
                   availability_zone=instance.availability_zone)
        if version >= LIBERTY:
            doc["project_id"] = instance.project_id
        if version >= NEWTON_ONE:
            doc["devices"] = []
        if version >= VICTORIA:
            doc["dedicated_cpus"] = self._dedicated_cpus()
        return json.dumps(doc).encode()

    def _dedicated_cpus(self):
        flavor = self.instance.flavor or {}
        specs = flavor.get("extra_specs") or {}
        if specs.get("hw:cpu_policy") != "dedicated":
            return []
        return list(range(flavor.get("vcpus", self.instance.vcpus)))

    def _file(self, name, build):
        """The JSON file ``name``, built once by ``build``."""
        body = self._files.get(name)
        if body is None:
            body = self._files[name] = json.dumps(build()).encode()
        return body

    def _static_vendor_data(self):
        return self.vendordata.static

    def _network_data(self):
        return network_data(self.conf, self.instance)

    def _vendor_data2(self):
        instance = self.instance
        return self.vendordata.vendor_data2({
            "project-id": instance.project_id,
            "instance-id": instance.uuid,
            "image-id": instance.image_ref,
            "user-data": instance.user_data,
            "hostname": instance.hostname,
            "metadata": dict(instance.meta),
            "boot-roles": "",
        })

    # -- EC2 documents -------------------------------------------------

    def ec2_data(self, version):
        """``{"meta-data": {...}, "user-data"?: bytes}`` at ``version``."""
        data = self._ec2.get(version)
        if data is None:
            data = {"meta-data": self._ec2_meta_data(version)}
            if self.user_data is not None:
                data["user-data"] = self.user_data
            self._ec2[version] = data
        return data

    def _ec2_meta_data(self, version):
        instance = self.instance
        meta = {
            "ami-id": "ami-%08x" % zlib.crc32(instance.image_ref.encode()),
            "ami-launch-index": instance.launch_index,
            "ami-manifest-path": "FIXME",
            "instance-id": "i-%08x" % instance.id,
            "hostname": self.hostname,
            "local-ipv4": self.addresses[0] if self.addresses else "",
            "reservation-id": instance.reservation_id,
            "security-groups": _security_group_names(
                instance.security_groups),
        }
        if instance.key_name:
            meta["public-keys"] = {"0": {"_name": "0=" + instance.key_name,
                                         "openssh-key": instance.key_data}}
        if version >= "2007-01-19":
            meta.update({"local-hostname": self.hostname,
                         "public-hostname": self.hostname,
                         "public-ipv4": ""})
        if version >= "2007-08-29":
            meta["instance-type"] = (instance.flavor or {}).get("name", "")
        if version >= "2007-12-15":
            meta["block-device-mapping"] = self._block_device_mapping()
        if version >= "2008-02-01":
            meta["placement"] = {
                "availability-zone": instance.availability_zone}
        if version >= "2008-09-01":
            meta["instance-action"] = "none"
        return meta

    def _block_device_mapping(self):
        """The root disk, then ephemeral and swap disks the flavor has, as
        libvirt names them."""
        mapping = {"ami": ROOT_DEVICE[len("/dev/"):], "root": ROOT_DEVICE}
        flavor = self.instance.flavor or {}
        letters = iter("bcdefgh")
        if flavor.get("ephemeral_gb"):
            mapping["ephemeral0"] = "/dev/vd" + next(letters)
        if flavor.get("swap"):
            mapping["swap"] = "/dev/vd" + next(letters)
        return mapping
