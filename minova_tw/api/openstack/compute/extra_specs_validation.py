"""Flavor extra spec validation of 2.86: keys in nova's namespaces must be known, values fit.

A key outside the namespaces nova registers (``foo``, ``mine:bar``) is
free-form, as in nova. Inside one (``hw:``, ``hw_rng:``, ``hw_video:``,
``os:``, ``quota:``, ``accel:``, ``pci_passthrough:``, ``resources*:``,
``trait*:``) the key must be one nova knows and its value must have the
key's type. ``aggregate_instance_extra_specs:`` and ``capabilities:`` take
any key, as nova's filters read them. The registry here holds nova's
widely used keys; a key nova knows that is missing here is refused, which
is a documented minova limitation.
"""

import re

import webob.exc

_INT = ("int", None)
_BOOL = ("bool", None)
_STR = ("str", None)


def _enum(*values):
    return ("enum", values)


def _pattern(regex):
    return ("pattern", re.compile(regex))


#: Exact key -> (kind, detail).
KEYS = {
    "hw:cpu_policy": _enum("dedicated", "shared", "mixed"),
    "hw:cpu_thread_policy": _enum("prefer", "isolate", "require"),
    "hw:emulator_threads_policy": _enum("isolate", "share"),
    "hw:cpu_sockets": _INT, "hw:cpu_cores": _INT, "hw:cpu_threads": _INT,
    "hw:cpu_max_sockets": _INT, "hw:cpu_max_cores": _INT,
    "hw:cpu_max_threads": _INT,
    "hw:cpu_realtime": _BOOL,
    "hw:cpu_realtime_mask": _pattern(r"^\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*$"),
    "hw:cpu_dedicated_mask": _pattern(r"^\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*$"),
    "hw:mem_page_size": _pattern(
        r"^(large|small|any|\d+([kKMGT]i?)?(b|bit|B)?)$"),
    "hw:numa_nodes": _INT,
    "hw:pci_numa_affinity_policy": _enum("required", "preferred", "legacy",
                                         "socket"),
    "hw:boot_menu": _BOOL,
    "hw:vif_multiqueue_enabled": _BOOL,
    "hw:watchdog_action": _enum("none", "pause", "poweroff", "reset",
                                "disabled"),
    "hw:serial_port_count": _INT,
    "hw:pmu": _BOOL,
    "hw:mem_encryption": _BOOL,
    "hw:pmem": _STR,
    "hw:tpm_version": _enum("1.2", "2.0"),
    "hw:tpm_model": _enum("tpm-tis", "tpm-crb"),
    "hw:locked_memory": _BOOL,
    "hw:virtio_packed_ring": _BOOL,
    "hw:maxphysaddr_mode": _enum("emulate", "passthrough"),
    "hw:maxphysaddr_bits": _INT,
    "hw:cpu_model": _STR,
    "hw:viommu_model": _enum("intel", "smmuv3", "virtio", "auto"),
    "hw:ephemeral_encryption": _BOOL,
    "hw:ephemeral_encryption_format": _enum("luks"),
    "hw_rng:allowed": _BOOL,
    "hw_rng:rate_bytes": _INT,
    "hw_rng:rate_period": _INT,
    "hw_video:ram_max_mb": _INT,
    "os:secure_boot": _enum("required", "disabled", "optional"),
    "os:monitors": _INT,
    "accel:device_profile": _STR,
    "pci_passthrough:alias": _pattern(r"^[^:,]+:\d+(,[^:,]+:\d+)*$"),
    "quota:cpu_shares": _INT, "quota:cpu_period": _INT,
    "quota:cpu_quota": _INT, "quota:cpu_limit": _INT,
    "quota:cpu_reservation": _INT,
    "quota:cpu_shares_level": _enum("custom", "high", "normal", "low"),
    "quota:memory_limit": _INT, "quota:memory_reservation": _INT,
    "quota:memory_shares_level": _enum("custom", "high", "normal", "low"),
    "quota:memory_shares_share": _INT,
    "quota:vif_inbound_average": _INT, "quota:vif_inbound_peak": _INT,
    "quota:vif_inbound_burst": _INT, "quota:vif_outbound_average": _INT,
    "quota:vif_outbound_peak": _INT, "quota:vif_outbound_burst": _INT,
}
for _kind in ("read", "write", "total"):
    for _unit in ("bytes_sec", "iops_sec", "bytes_sec_max", "iops_sec_max",
                  "bytes_sec_max_length", "iops_sec_max_length"):
        KEYS["quota:disk_%s_%s" % (_kind, _unit)] = _INT
KEYS["quota:disk_size_iops_sec"] = _INT

#: Key pattern -> (kind, detail), for keys with a variable part.
PATTERNS = (
    (re.compile(r"^hw:numa_cpus\.\d+$"),
     _pattern(r"^\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*$")),
    (re.compile(r"^hw:numa_mem\.\d+$"), _INT),
    (re.compile(r"^resources(\d+|_[a-zA-Z0-9_-]{1,64})?:"
                r"([A-Z0-9_]+)$"), _INT),
    (re.compile(r"^trait(\d+|_[a-zA-Z0-9_-]{1,64})?:[A-Z0-9_]+$"),
     _enum("required", "forbidden")),
    (re.compile(r"^aggregate_instance_extra_specs:.+$"), _STR),
    (re.compile(r"^capabilities:.+$"), _STR),
)

NAMESPACES = frozenset(("hw", "hw_rng", "hw_video", "os", "quota", "accel",
                        "pci_passthrough", "aggregate_instance_extra_specs",
                        "capabilities"))
_VARIABLE_NAMESPACE = re.compile(r"^(resources|trait)(\d+|_.*)?$")

_TRUE_FALSE = ("true", "false", "1", "0", "yes", "no", "t", "f", "y", "n",
               "on", "off")


def _namespace(key):
    return key.split(":", 1)[0] if ":" in key else None


def _rule(key):
    rule = KEYS.get(key)
    if rule is not None:
        return rule
    for pattern, pattern_rule in PATTERNS:
        if pattern.match(key):
            return pattern_rule
    return None


def _valid(rule, value):
    kind, detail = rule
    if kind == "int":
        return re.fullmatch(r"-?\d+", value) is not None
    if kind == "bool":
        return value.lower() in _TRUE_FALSE
    if kind == "enum":
        return value in detail
    if kind == "pattern":
        return detail.match(value) is not None
    return True


def validate(specs):
    """Raise 400 for the first spec of a known namespace that nova would
    refuse (unknown key, or a value of the wrong kind)."""
    for key, value in specs.items():
        namespace = _namespace(key)
        if namespace is None or not (
                namespace in NAMESPACES
                or _VARIABLE_NAMESPACE.match(namespace)):
            continue
        rule = _rule(key)
        if rule is None:
            raise webob.exc.HTTPBadRequest(
                explanation="Validation failed; extra spec '%s' does not "
                "appear to be a valid extra spec." % key)
        if not _valid(rule, value):
            raise webob.exc.HTTPBadRequest(
                explanation="Validation failed; '%s' is not a valid value "
                "for extra spec '%s'." % (value, key))
