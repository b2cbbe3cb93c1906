"""minova's configuration: every option's one definition, and how it is loaded.

The option modules here hold the definitions (nova's names and defaults, with
help text); ``list_opts`` feeds oslo-config-generator. ``load`` builds one
``ConfigOpts`` per process from the command line's files, and registers the
per-API options (``[DEFAULT] <name>_listen`` ...) of every name in
``enabled_apis`` once it has read that list. Nothing here reads
a file or the environment on import.

The WSGI stacks receive the process's ConfigOpts through PasteDeploy's
global_conf, which only carries strings (PasteDeploy interpolates its
values), so the host registers the object under a key and passes the key;
``from_paste`` turns it back into the object. A stack loaded by another WSGI
server (gunicorn, uWSGI) gets no key and loads the files named in the
``MINOVA_CONFIG_FILES`` environment variable instead.
"""

import os

from oslo_config import cfg
from oslo_middleware import cors, http_proxy_to_wsgi, sizelimit
from oslo_middleware.healthcheck import opts as healthcheck_opts
from oslo_policy import opts as policy_opts

from minova_tw.conf import api, compute, consoles, operations, service, wsgi

_MODULES = (service, wsgi, api, compute, consoles, operations)

#: nova's CORS defaults (nova.middleware.set_defaults).
CORS_DEFAULTS = dict(
    allow_headers=["X-Auth-Token", "X-Openstack-Request-Id",
                   "X-Identity-Status", "X-Roles", "X-Service-Catalog",
                   "X-User-Id", "X-Tenant-Id", "X-OpenStack-Nova-API-Version",
                   "OpenStack-API-Version"],
    expose_headers=["X-Auth-Token", "X-Openstack-Request-Id",
                    "X-Subject-Token", "X-Service-Token",
                    "X-OpenStack-Nova-API-Version", "OpenStack-API-Version"],
    allow_methods=["GET", "PUT", "POST", "DELETE", "PATCH"],
)

PASTE_KEY = "minova_conf"
ENV_CONFIG_FILES = "MINOVA_CONFIG_FILES"

_by_key = {}


class ConfigError(Exception):
    """A configuration problem, said in one line that names the option or file."""


def _middleware_opts():
    """oslo.middleware's groups, with nova's CORS defaults applied."""
    cors.set_defaults(**CORS_DEFAULTS)
    return {"oslo_middleware": sizelimit.OPTS + http_proxy_to_wsgi.OPTS,
            "cors": cors.CORS_OPTS,
            "healthcheck": (healthcheck_opts.HEALTHCHECK_OPTS
                            + healthcheck_opts.DISABLE_BY_FILE_OPTS)}


def list_opts():
    """Options by group, for registration and for oslo-config-generator.

    The generator's namespace ``minova`` (etc/minova-config-generator.conf)
    is this function, so the sample shows every option minova reads.
    """
    groups = {}
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            groups.setdefault(group, []).extend(opts)
    for group, opts in _middleware_opts().items():
        # oslo.middleware's own options first, minova's additions after.
        groups[group] = opts + groups.get(group, [])
    # [oslo_policy]: the Enforcer would register them on first use; here
    # they are known from the start (the sample, minova-manage check).
    groups.update(policy_opts.list_opts())
    return list(groups.items())


def register_all(conf):
    """Register every option minova reads on ``conf``."""
    for group, opts in list_opts():
        if isinstance(group, cfg.OptGroup):
            conf.register_group(group)
        conf.register_opts(opts, group=None if group == "DEFAULT" else group)


def load(config_files=(), config_dirs=(), args=()):
    """Parse ``config_files`` and ``config_dirs`` into a new ConfigOpts.

    Raises ConfigError (one line, naming the file or option) instead of
    oslo.config's exceptions, and checks every value now rather than on first
    use, so a bad value stops startup instead of a request.
    """
    conf = cfg.ConfigOpts()
    register_all(conf)
    for path in config_files:
        if not os.path.isfile(path):
            raise ConfigError("config file %s not found" % path)
    for path in config_dirs:
        if not os.path.isdir(path):
            raise ConfigError("config directory %s not found" % path)
    try:
        conf(list(args), project="minova", prog="minova",
             default_config_files=list(config_files),
             default_config_dirs=list(config_dirs),
             validate_default_values=True, use_env=False)
    except cfg.ConfigFileParseError as exc:
        raise ConfigError("cannot parse config file %s: %s"
                          % (exc.config_file, exc.msg)) from None
    except (cfg.ConfigFileValueError, ValueError) as exc:
        # oslo.config's message names neither the group nor the file in a
        # stable form: find the bad option ourselves.
        _check_values(conf)
        raise ConfigError(_one_line(exc)) from None
    except cfg.Error as exc:
        raise ConfigError(_one_line(exc)) from None
    register_api_opts(conf)
    _check_values(conf)
    return conf


def register_api_opts(conf):
    """Register the options of each API in ``conf``'s ``enabled_apis``.

    oslo.config reads a file's values on first use, so options registered
    after parsing see them; the names are only known once enabled_apis is
    parsed. A name that cannot be part of an option name is left for
    startup to skip with a warning (minova_tw.startup.check).
    """
    for name in conf.enabled_apis:
        if service.is_api_name(name) and "%s_listen" % name not in conf:
            conf.register_opts(service.api_opts(name))


def _check_values(conf):
    """Read every registered option once so that bad values raise now."""
    for name in conf:
        value = _get(conf, name, None)
        if isinstance(value, cfg.ConfigOpts.GroupAttr):
            for opt in value:
                _get(conf, opt, name)


def _get(conf, name, group):
    try:
        return conf[group][name] if group else conf[name]
    except (cfg.ConfigFileValueError, ValueError) as exc:
        where = "[%s] %s" % (group or "DEFAULT", name)
        reason = _one_line(exc).rpartition(" is not valid: ")[2]
        raise ConfigError("invalid value for %s in %s: %s" % (
            where, ", ".join(conf.config_file) or "the config files",
            reason)) from None


def _one_line(exc):
    return " ".join(str(exc).split())


def config_dir(conf):
    """The directory relative paths in the config are taken against."""
    files = conf.config_file or []
    if files:
        return os.path.dirname(os.path.abspath(files[0]))
    dirs = conf.config_dir
    if dirs:
        return os.path.abspath(dirs if isinstance(dirs, str) else dirs[0])
    return os.getcwd()


def find_paste_file(conf):
    """The absolute path of [wsgi] api_paste_config, as nova finds it.

    A relative name is looked up next to each config file (oslo.config's
    find_file), then in the directory of the first one.
    """
    name = conf.wsgi.api_paste_config
    if os.path.isabs(name):
        path = name
    else:
        path = conf.find_file(name) or os.path.join(config_dir(conf), name)
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise ConfigError("[wsgi] api_paste_config: paste file %s not found"
                          % path)
    return path


def state_path(conf):
    """The absolute state directory ([DEFAULT] state_path)."""
    return os.path.join(config_dir(conf), conf.state_path)


def paste_global_conf(conf):
    """The global_conf that carries ``conf`` into the paste factories."""
    key = "%x" % id(conf)
    _by_key[key] = conf
    return {PASTE_KEY: key}


def from_paste(global_conf):
    """The ConfigOpts a paste factory serves with (see the module doc)."""
    key = (global_conf or {}).get(PASTE_KEY)
    if key in _by_key:
        return _by_key[key]
    env = os.environ.get(ENV_CONFIG_FILES, "")
    key = "env:" + env
    if key not in _by_key:
        files = [f for f in env.split(os.pathsep) if f]
        _by_key[key] = load(config_files=files)
    return _by_key[key]
