"""Compute API microversions: the supported range and how versions compare.

``MAX_API_VERSION`` is the one place that says how far minova's compute API
goes. Raise it only together with the change that implements the new
version, and add a line to the history below: a client that asks for a
version must get that version's behaviour.

History (what minova's resources do differently from each version on;
versions not listed change only resources minova does not serve, e.g.
os-hypervisors or os-migrations, and need nothing here):

* 2.1 - the v2.1 API as first released (nova's base microversion).
* 2.2 - keypairs: ``type`` (ssh, x509); create answers 201, delete 204.
* 2.3 - servers: more OS-EXT-SRV-ATTR attributes for admins.
* 2.5 - servers: non-admins may filter on ``ip6``.
* 2.9 - servers: ``locked``.
* 2.10 - keypairs: an admin may name a ``user_id``.
* 2.13 - server groups: ``project_id`` and ``user_id``.
* 2.15 - server groups: the soft-affinity and soft-anti-affinity policies.
* 2.16 - servers: ``host_status`` (admins).
* 2.17 - servers: the ``trigger_crash_dump`` action.
* 2.18 - the project id in the URL is optional (always served both ways).
* 2.19 - servers: ``description`` on create, update, rebuild and show.
* 2.26 - servers: ``tags`` in the view, and the four tag filters.
* 2.32 - servers: a ``tag`` on networks at create (until 2.36).
* 2.35 - keypairs: paging with ``limit`` and ``marker``.
* 2.36 - limits: no network and security group keys.
* 2.37 - servers: ``networks`` required ("auto", "none" or a list).
* 2.38 - servers: an unknown ``status`` filter is 400, not an empty list.
* 2.39 - limits: no ``maxImageMeta``.
* 2.42 - servers: network tags at create again.
* 2.45 - createImage answers ``{"image_id"}`` instead of a Location.
* 2.47 - servers: the flavor embedded in the server view.
* 2.52 - servers: ``tags`` at create.
* 2.54 - rebuild: ``key_name``.
* 2.55 - flavors: ``description``, and PUT /flavors/{id}.
* 2.57 - servers: no ``personality``; rebuild takes ``user_data``;
  limits: no personality keys.
* 2.61 - flavors: ``extra_specs`` in the view.
* 2.63 - servers: ``trusted_image_certificates``.
* 2.64 - server groups: one ``policy`` and ``rules`` instead of
  ``policies``, and no ``metadata``.
* 2.66 - servers: the ``changes-before`` filter.
* 2.71 - servers: ``server_groups`` in show, update and rebuild.
* 2.73 - servers: lock with ``locked_reason``, shown; the ``locked``
  filter and sort key.
* 2.74 - servers: an admin's ``host`` and ``hypervisor_hostname`` at
  create.
* 2.75 - unknown query parameters are 400 (servers, flavors, keypairs,
  limits, server groups); update and rebuild answer the full server view; flavor ``swap``
  0 is 0, not "".
* 2.83 - servers: more filters for non-admins.
* 2.86 - flavor extra specs: keys in nova's namespaces are validated.
* 2.90 - servers: ``hostname`` at create, update and rebuild, shown to
  everyone.
* 2.92 - keypairs: a public key is required; names may hold "@" and ".".
* 2.94 - servers: ``hostname`` may be a fully qualified name.
* 2.96 - servers: ``pinned_availability_zone``.
* 2.98 - servers: the image's ``properties``.
* 2.100 - servers: ``scheduler_hints``.
* 2.101 - (a volume attach answers 202: minova has no volume attachments.)
* 2.102 - flavors: a ``name`` filter; ``rxtx_factor`` and
  ``OS-FLV-DISABLED:disabled`` retired. Every API refuses unknown query
  parameters.
* 2.103 - (``/os-volumes_boot`` removed: minova never served it.)
* 2.104 - servers: update sets or clears ``pinned_availability_zone``.
"""

import functools
import re

from minova_tw.api import errors

MIN_API_VERSION = "2.1"
MAX_API_VERSION = "2.104"
DEFAULT_API_VERSION = MIN_API_VERSION

_VERSION_FORMAT = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


@functools.total_ordering
class APIVersionRequest:
    """A ``major.minor`` version; ``APIVersionRequest()`` is the null version,
    which stands for "no bound" in ranges."""

    __slots__ = ("major", "minor")

    def __init__(self, version_string=None):
        self.major = self.minor = None
        if version_string is not None:
            match = _VERSION_FORMAT.match(version_string)
            if match is None:
                raise errors.InvalidAPIVersionString(version=version_string)
            self.major, self.minor = int(match.group(1)), int(match.group(2))

    def is_null(self):
        return self.major is None

    def _key(self):
        if self.major is None:
            raise ValueError("the null API version has no order")
        return self.major, self.minor

    def __eq__(self, other):
        if not isinstance(other, APIVersionRequest):
            return NotImplemented
        return (self.major, self.minor) == (other.major, other.minor)

    def __hash__(self):
        return hash((self.major, self.minor))

    def __lt__(self, other):
        if not isinstance(other, APIVersionRequest):
            return NotImplemented
        return self._key() < other._key()

    # total_ordering would make <= out of < and ==: views ask it per item.
    def __le__(self, other):
        if not isinstance(other, APIVersionRequest):
            return NotImplemented
        return self._key() <= other._key()

    def matches(self, min_version, max_version):
        """Whether this version lies in [min_version, max_version]; a null
        bound is open."""
        if self.is_null():
            raise ValueError("the null API version matches no range")
        if not min_version.is_null() and self < min_version:
            return False
        return max_version.is_null() or self <= max_version

    def get_string(self):
        if self.is_null():
            raise ValueError("the null API version has no string")
        return "%d.%d" % (self.major, self.minor)

    __str__ = get_string

    def __repr__(self):
        if self.is_null():
            return "APIVersionRequest()"
        return "APIVersionRequest(%r)" % self.get_string()


def min_api_version():
    return APIVersionRequest(MIN_API_VERSION)


def max_api_version():
    return APIVersionRequest(MAX_API_VERSION)


@functools.lru_cache(maxsize=None)
def _parsed(version_string):
    return APIVersionRequest(version_string)


def is_supported(req, min_version, max_version=None):
    """Whether ``req``'s microversion is at least ``min_version`` (and at
    most ``max_version``): how views and controllers switch behaviour
    inside one method."""
    version = req.api_version_request
    if version < _parsed(min_version):
        return False
    return max_version is None or version <= _parsed(max_version)
