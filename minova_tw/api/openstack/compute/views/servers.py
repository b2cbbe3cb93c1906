"""How a server looks in the API, by microversion and by who asks.

``ViewBuilder`` is made once per request: it settles which keys the
request's version and caller get, then builds each server by plain dict
work, so a detail listing of many servers costs little per server.

The full view (show, detail; update and rebuild from 2.75) has nova's base
keys plus its old extensions (addresses with their IP type and MAC, the
availability zone, config drive, key name, usage times, security groups,
volumes with their ``delete_on_termination`` from 2.3, extended status),
the extended server attributes (by policy, admin only by default, as is
``host_status``; its fake host is also its hypervisor_hostname; the
embedded flavor's extra specs are shown when the policy allows them) and,
for a server in ERROR, its ``fault``.
Microversions add ``locked`` (2.9), ``host_status`` (2.16, by policy),
``description`` (2.19), ``tags`` (2.26), the embedded flavor (2.47),
``trusted_image_certificates`` (2.63), ``server_groups`` (2.71, show,
update and rebuild only: the group the server joined at boot),
``locked_reason`` (2.73), the hostname for everyone (2.90),
``pinned_availability_zone`` (2.96), the image's ``properties`` (2.98)
and ``scheduler_hints`` (2.100).
"""

import hashlib

from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common
from minova_tw.compute import states

#: Statuses that show a ``progress``.
PROGRESS_STATUSES = frozenset(("ACTIVE", "BUILD", "REBUILD", "RESIZE",
                               "VERIFY_RESIZE", "MIGRATING"))
#: Statuses that show the server's ``fault``, if it has one.
FAULT_STATUSES = frozenset(("ERROR", "DELETED"))
ROOT_DEVICE_NAME = "/dev/vda"


def host_id(project_id, host):
    """nova's hostId: sha224 of project and host, "" without a host."""
    if not host:
        return ""
    return hashlib.sha224((project_id + host).encode()).hexdigest()


def addresses(instance, extended=True):
    """``{network: [address, ...]}`` of a server, as its ``addresses`` and
    ``/servers/{id}/ips`` show them; ``extended`` adds the IP type and MAC.
    A building server has none yet (nova's network cache is empty)."""
    if instance.vm_state == states.BUILDING:
        return {}
    found = {}
    for ip in instance.fixed_ips:
        address = {"version": 4, "addr": ip.address}
        if extended:
            address["OS-EXT-IPS:type"] = "fixed"
            address["OS-EXT-IPS-MAC:mac_addr"] = ip.mac_address
        found.setdefault(ip.network, []).append(address)
    return found


class ViewBuilder:
    """Server views for one request."""

    def __init__(self, conf, request):
        self.conf, self.request = conf, request
        self.links = common.Links(conf, request)
        def supported(version):
            return api_version.is_supported(request, version)

        ctx = request.environ["nova.context"]
        #: nova shows a fault's details to admins only (context.is_admin).
        self.is_admin = ctx.is_admin
        self.extended_attributes = ctx.can(
            "os_compute_api:os-extended-server-attributes", fatal=False)
        self.v23 = supported("2.3")
        self.locked = supported("2.9")
        self.host_status = supported("2.16") and ctx.can(
            "os_compute_api:servers:show:host_status", fatal=False)
        self.description = supported("2.19")
        self.tags = supported("2.26")
        self.embedded_flavor = supported("2.47")
        self.flavor_extra_specs = self.embedded_flavor and ctx.can(
            "os_compute_api:servers:show:flavor-extra-specs", fatal=False)
        self.trusted_certs = supported("2.63")
        self.server_groups = supported("2.71")
        self.locked_reason = supported("2.73")
        self.full_update = supported("2.75")
        self.hostname_for_all = supported("2.90")
        self.pinned_az = supported("2.96")
        self.image_properties = supported("2.98")
        self.scheduler_hints = supported("2.100")
        self._host_ids = {}

    # -- pieces ----------------------------------------------------------

    def _host_id(self, instance):
        key = (instance.project_id, instance.host)
        if key not in self._host_ids:
            self._host_ids[key] = host_id(*key)
        return self._host_ids[key]

    def _image(self, instance):
        if not instance.image_ref:
            return ""
        image = {"id": instance.image_ref,
                 "links": self.links.image_bookmark(instance.image_ref)}
        if self.image_properties:
            image["properties"] = {}
        return image

    def _flavor(self, instance):
        flavor = instance.flavor
        if not self.embedded_flavor:
            return {"id": flavor["flavorid"],
                    "links": [{"rel": "bookmark",
                               "href": self.links.bookmark(
                                   "flavors", flavor["flavorid"])}]}
        view = {"vcpus": flavor["vcpus"], "ram": flavor["memory_mb"],
                "disk": flavor["root_gb"],
                "ephemeral": flavor["ephemeral_gb"],
                "swap": flavor["swap"], "original_name": flavor["name"]}
        if self.flavor_extra_specs:
            view["extra_specs"] = dict(flavor.get("extra_specs") or {})
        return view

    def _volumes(self, instance):
        if self.v23:
            return [{"id": row.volume_id,
                     "delete_on_termination": row.delete_on_termination}
                    for row in instance.volume_attachments]
        return [{"id": row.volume_id}
                for row in instance.volume_attachments]

    def _extended_attributes(self, instance, server):
        if self.extended_attributes:
            server["OS-EXT-SRV-ATTR:host"] = instance.host
            server["OS-EXT-SRV-ATTR:instance_name"] = instance.instance_name
            server["OS-EXT-SRV-ATTR:hypervisor_hostname"] = instance.host
            if self.v23:
                server.update({
                    "OS-EXT-SRV-ATTR:hostname": instance.hostname,
                    "OS-EXT-SRV-ATTR:kernel_id": "",
                    "OS-EXT-SRV-ATTR:launch_index": instance.launch_index,
                    "OS-EXT-SRV-ATTR:ramdisk_id": "",
                    "OS-EXT-SRV-ATTR:reservation_id":
                        instance.reservation_id,
                    "OS-EXT-SRV-ATTR:root_device_name": ROOT_DEVICE_NAME,
                    "OS-EXT-SRV-ATTR:user_data": instance.user_data,
                })
        elif self.hostname_for_all:
            server["OS-EXT-SRV-ATTR:hostname"] = instance.hostname

    def _fault(self, instance):
        """nova's fault: its details (a traceback there) only for admins
        when the code is 500."""
        fault = instance.fault
        view = {"code": fault["code"], "created": fault["created"],
                "message": fault["message"]}
        if fault.get("details") and (self.is_admin or fault["code"] != 500):
            view["details"] = fault["details"]
        return view

    # -- views -----------------------------------------------------------

    def basic(self, instance):
        return {"id": instance.uuid, "name": instance.name,
                "links": self.links.links("servers", instance.uuid)}

    def show(self, instance, full=True, server_groups=False):
        """The server as show and detail give it (``full``), or the
        shorter form update and rebuild gave before 2.75."""
        status = states.status(instance.vm_state, instance.task_state)
        server = {
            "id": instance.uuid,
            "name": instance.name,
            "status": status,
            "tenant_id": instance.project_id,
            "user_id": instance.user_id,
            "metadata": instance.meta,
            "hostId": self._host_id(instance),
            "image": self._image(instance),
            "flavor": self._flavor(instance),
            "created": common.isotime(instance.created_at),
            "updated": common.isotime(instance.updated_at),
            "addresses": addresses(instance, extended=full),
            "accessIPv4": instance.access_ip_v4 or "",
            "accessIPv6": instance.access_ip_v6 or "",
            "links": self.links.links("servers", instance.uuid),
            "OS-DCF:diskConfig": ("AUTO" if instance.auto_disk_config
                                  else "MANUAL"),
        }
        if status in PROGRESS_STATUSES:
            server["progress"] = instance.progress or 0
        if status in FAULT_STATUSES and instance.fault:
            server["fault"] = self._fault(instance)
        if self.locked:
            server["locked"] = instance.locked
        if full:
            server.update({
                "key_name": instance.key_name,
                "config_drive": instance.config_drive,
                "OS-EXT-AZ:availability_zone": instance.availability_zone,
                "OS-SRV-USG:launched_at":
                    common.naive_isotime(instance.launched_at),
                "OS-SRV-USG:terminated_at":
                    common.naive_isotime(instance.terminated_at),
                "OS-EXT-STS:task_state": instance.task_state,
                "OS-EXT-STS:vm_state": instance.vm_state,
                "OS-EXT-STS:power_state": instance.power_state,
                "os-extended-volumes:volumes_attached":
                    self._volumes(instance),
            })
            if instance.security_groups:
                server["security_groups"] = [
                    {"name": name} for name in instance.security_groups]
            self._extended_attributes(instance, server)
            if self.host_status:
                server["host_status"] = "UP" if instance.host else ""
        if self.description:
            server["description"] = instance.description
        if self.tags:
            server["tags"] = instance.tags
        if self.trusted_certs:
            server["trusted_image_certificates"] = instance.trusted_certs
        if server_groups and self.server_groups:
            server["server_groups"] = list(instance.group_uuids)
        if self.locked_reason:
            server["locked_reason"] = instance.locked_reason
        if self.pinned_az:
            server["pinned_availability_zone"] = (
                instance.pinned_availability_zone)
        if self.scheduler_hints:
            server["scheduler_hints"] = instance.scheduler_hints or {}
        return server

    def show_one(self, instance):
        """GET /servers/{id}: the full view with server groups."""
        return {"server": self.show(instance, server_groups=True)}

    def changed(self, instance):
        """What update and rebuild answer: the full view from 2.75, the
        short one before."""
        return self.show(instance, full=self.full_update, server_groups=True)

    def index(self, instances, detail=False):
        if detail:
            servers = [self.show(instance) for instance in instances]
        else:
            servers = [self.basic(instance) for instance in instances]
        body = {"servers": servers}
        links = common.collection_links(
            self.conf, self.request, servers,
            "servers/detail" if detail else "servers", "id")
        if links:
            body["servers_links"] = links
        return body
