"""Checks that look at the configuration as a whole, not one value at a time.

``load`` checks each value; what is wrong only in combination, or is not
an option at all, is found here, at startup and by ``minova-manage check``
(minova_tw.startup.check):

* ``metadata_proxy_unsigned``: ``[neutron] service_metadata_proxy`` with an
  empty ``metadata_proxy_shared_secret`` would trust any caller's headers
  (the HMAC of an empty key is anyone's to compute).
* ``unknown_options``: a misspelled option (``osapi_compute_listen_prot``)
  is silently ignored by oslo.config; this finds it, as
  oslo-config-validator does. Only groups minova registers are judged:
  minova's files may be shared with a project it hosts (nova.conf), and a
  group minova does not read (``[api_database]``, ``[glance]``) is that
  project's. In minova's own groups, another project's options
  (nova's ``[DEFAULT] transport_url``) are listed in ``[DEFAULT]
  hosted_options``.
"""

import collections
import glob
import os

from oslo_config import cfg

from minova_tw import conf as minova_conf
from minova_tw.conf import service


def metadata_proxy_unsigned(conf):
    """Raise ConfigError when the metadata proxy is trusted without a key."""
    neutron = conf.neutron
    if neutron.service_metadata_proxy and not neutron.metadata_proxy_shared_secret:
        raise minova_conf.ConfigError(
            "[neutron] service_metadata_proxy = true needs [neutron] "
            "metadata_proxy_shared_secret: with an empty secret anyone who "
            "reaches the metadata API can read any server's metadata")


#: An option set in a file that no registered option of its group takes.
UnknownOption = collections.namedtuple("UnknownOption", "path group name")


def unknown_options(conf):
    """Each option a config file sets in one of minova's groups that
    minova does not know (nor ``[DEFAULT] hosted_options`` lists), in
    file order, as UnknownOption."""
    known = _known_names(conf)
    hosted = set(conf.hosted_options)
    found = []
    for path in config_files(conf):
        sections = {}
        try:
            cfg.ConfigParser(path, sections).parse()
        except (OSError, cfg.ParseError):
            continue  # load() read it: it changed since, and says so itself
        for group, options in sections.items():
            if group not in known or group in hosted:
                continue
            found.extend(
                UnknownOption(path, group, name) for name in options
                if name.replace("-", "_") not in known[group]
                and "%s.%s" % (group, name) not in hosted)
    return found


def describe(unknown):
    """The one line that names an UnknownOption and its file."""
    return ("[%s] %s in %s is not an option minova knows (a misspelling? "
            "another project's option in one of minova's groups goes in "
            "[DEFAULT] hosted_options)"
            % (unknown.group, unknown.name, unknown.path))


def config_files(conf):
    """The files ``conf`` was loaded from, in oslo.config's order."""
    files = list(conf.config_file or [])
    for directory in conf.config_dir or []:
        files.extend(sorted(glob.glob(os.path.join(directory, "*.conf"))))
    return files


def _known_names(conf):
    """{group: option names a file may set there}, for every group minova
    registers: the registered options and their deprecated names."""
    known = {"DEFAULT": set()}
    for name in conf:
        if isinstance(getattr(conf, name), cfg.ConfigOpts.GroupAttr):
            known[name] = set(conf[name])
        else:
            known["DEFAULT"].add(name)
    opts = list(minova_conf.list_opts()) + [
        ("DEFAULT", service.api_opts(name)) for name in conf.enabled_apis
        if service.is_api_name(name)]
    for group, group_opts in opts:
        group = getattr(group, "name", group)
        for opt in group_opts:
            for old in opt.deprecated_opts:
                if (old.group or group) in known:
                    known[old.group or group].add(old.name or opt.dest)
    return known
