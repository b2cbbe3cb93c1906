"""Compute API microversions: the supported range and how versions compare.

``MAX_API_VERSION`` is the one place that says how far minova's compute API
goes. Raise it only together with the change that implements the new
version, and add a line to the history below: a client that asks for a
version must get that version's behaviour.

History:

* 2.1 - the v2.1 API as first released (nova's base microversion).
"""

import functools
import re

from minova_tw.api import errors

MIN_API_VERSION = "2.1"
MAX_API_VERSION = "2.1"
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
        if self.is_null():
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
