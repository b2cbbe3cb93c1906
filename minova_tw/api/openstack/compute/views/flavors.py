"""How a flavor looks in the API, by microversion.

2.55 adds ``description``, 2.61 ``extra_specs`` (in detail), 2.75 shows
``swap`` 0 as 0 instead of "", and 2.102 drops the retired ``rxtx_factor``
and ``OS-FLV-DISABLED:disabled``.
"""

from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common


class ViewBuilder:
    """Flavor views for one request (its version and links worked out once)."""

    def __init__(self, conf, request):
        self.conf, self.request = conf, request
        self.links = common.Links(conf, request)
        self.description = api_version.is_supported(request, "2.55")
        self.extra_specs = (
            api_version.is_supported(request, "2.61")
            and request.environ["nova.context"].can(
                "os_compute_api:os-flavor-extra-specs:index", fatal=False))
        self.swap_int = api_version.is_supported(request, "2.75")
        self.retired_fields = not api_version.is_supported(request, "2.102")

    def basic(self, flavor):
        view = {"id": flavor.flavorid, "name": flavor.name,
                "links": self.links.links("flavors", flavor.flavorid)}
        if self.description:
            view["description"] = flavor.description
        return view

    def show(self, flavor):
        view = {
            "id": flavor.flavorid,
            "name": flavor.name,
            "ram": flavor.memory_mb,
            "disk": flavor.root_gb,
            "swap": flavor.swap if flavor.swap or self.swap_int else "",
            "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral_gb,
            "vcpus": flavor.vcpus,
            "os-flavor-access:is_public": flavor.is_public,
            "links": self.links.links("flavors", flavor.flavorid),
        }
        if self.retired_fields:
            view["OS-FLV-DISABLED:disabled"] = flavor.disabled
            view["rxtx_factor"] = flavor.rxtx_factor
        if self.description:
            view["description"] = flavor.description
        if self.extra_specs:
            view["extra_specs"] = flavor.extra_specs_dict
        return view

    def index(self, flavors, detail=False):
        build = self.show if detail else self.basic
        body = {"flavors": [build(flavor) for flavor in flavors]}
        links = common.collection_links(
            self.conf, self.request, body["flavors"],
            "flavors/detail" if detail else "flavors", "id")
        if links:
            body["flavors_links"] = links
        return body

