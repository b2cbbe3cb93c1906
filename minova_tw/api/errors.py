"""Exceptions of the API stacks, and the one the host reports at startup.

``MissingExtraError`` is a ``minova_tw.conf.ConfigError``: the host
reports any ConfigError a paste factory raises as its one startup line. The others are the API's own members of the compute
layer's error family (``code``, ``safe``, ``format_message``), which
``Resource`` and ``FaultWrapper`` turn into nova's JSON faults.
"""

from minova_tw.compute import exception
from minova_tw.conf import ConfigError


class MissingExtraError(ConfigError):
    """A paste filter needs a package from an optional extra that is not
    installed. The message is one line naming the extra to install."""


class ValidationError(exception.Invalid):
    """The request body failed its JSON schema."""

    msg_fmt = "%(detail)s"


class InvalidAPIVersionString(exception.Invalid):
    msg_fmt = ("API Version String %(version)s is of invalid format. Must "
               "be of format MajorNum.MinorNum.")


class InvalidGlobalAPIVersion(exception.ComputeError):
    msg_fmt = ("Version %(req_ver)s is not supported by the API. Minimum "
               "is %(min_ver)s and maximum is %(max_ver)s.")
    code = 406
    safe = True
