"""Options of the process itself: which APIs, where they listen, how many workers.

Names and defaults are nova-api's ([DEFAULT] group), so an operator's
nova.conf fragment carries over unchanged. As nova-api's WSGIService did
for any service name, every name in ``enabled_apis`` has its own
``<name>_listen``, ``<name>_listen_port`` and ``<name>_workers`` (and
minova's ``<name>_wsgi_app``, ``_access_log``, ``_max_request_body_size``
and ``_process_group``): ``api_opts(name)`` makes them, and
minova_tw.conf.load registers them once it has read ``enabled_apis``. The
built-in APIs' options are always registered, so the sample config shows
the pattern with them. ``process_group`` says which APIs may share a
process.
"""

import ast
import re

from oslo_config import cfg, types

#: minova's own APIs (the embedded mini nova), with nova's ports.
BUILTIN_PORTS = {"osapi_compute": 8774, "metadata": 8775}
API_NAMES = tuple(BUILTIN_PORTS)

#: What an API name may be: it becomes part of option names.
_API_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def is_api_name(name):
    """Whether ``name`` can name an API (letters, digits and _)."""
    return bool(_API_NAME.match(name))

service_opts = [
    cfg.ListOpt(
        "enabled_apis",
        default=list(API_NAMES),
        help="List of APIs to enable, in start order. minova's own are "
        "osapi_compute and metadata; any other name (letters, digits and _) "
        "works the same way, as in nova-api. Each API has the options "
        "[DEFAULT] <name>_listen, <name>_listen_port, <name>_workers and "
        "<name>_wsgi_app (listed below for osapi_compute and metadata; "
        "another name has no default port, so <name>_listen_port must be "
        "set) and is served by its <name>_wsgi_app entry point, or else by "
        "the paste app <name> in [wsgi] api_paste_config. A name with "
        "neither is logged as a warning and skipped, as Ocata's nova-api "
        "did.",
    ),
    cfg.ListOpt(
        "enabled_ssl_apis",
        default=[],
        help="List of APIs (from enabled_apis) served over HTTPS only, "
        "with the certificate in [wsgi] ssl_cert_file/ssl_key_file.",
    ),
    cfg.BoolOpt("debug", default=False, short="d",
                help="Log at DEBUG level instead of the default INFO level."),
    cfg.BoolOpt("log_options", default=True,
                help="Log the value of every option at startup (secrets "
                "masked)."),
    cfg.IntOpt(
        "graceful_shutdown_timeout",
        default=60,
        min=0,
        help="Seconds a stopping server waits for in-flight requests to "
        "finish before it closes their connections. 0 waits forever.",
    ),
    cfg.StrOpt(
        "state_path",
        default="/var/lib/minova",
        help="Top-level directory for minova's state: the embedded SQLite "
        "database lives here. A relative path is taken relative to the "
        "directory of the first config file (minova addition: nova "
        "defaults it to its package directory).",
    ),
    cfg.ListOpt(
        "hosted_options",
        default=[],
        help="minova addition: options that another project reads from "
        "minova's config files in a group minova reads too, so that minova "
        "does not report them as unknown: group.option (DEFAULT."
        "transport_url, api.list_records_by_skipping_down_cells), or a group name for all of its "
        "options. Needed only when minova and a project it hosts share a "
        "file (nova.conf); groups minova does not read ([api_database], "
        "[glance]) are never checked. Any other option minova does not know "
        "is a warning at startup and fails minova-manage check.",
    ),
    cfg.StrOpt(
        "default_availability_zone",
        default="nova",
        help="Availability zone of servers that did not ask for one.",
    ),
    cfg.StrOpt(
        "internal_service_availability_zone",
        default="internal",
        help="Availability zone of internal services; hidden from "
        "os-availability-zone.",
    ),
]


class EntryPoint(types.String):
    """The type of ``<name>_wsgi_app``: what parse_entry_point accepts, or
    empty (``<name>_wsgi_app =``, as unset: the paste app)."""

    def __init__(self):
        super().__init__(type_name="entry point value")

    def __call__(self, value):
        value = super().__call__(value)
        if value:
            parse_entry_point(value)
        return value


def parse_entry_point(spec):
    """``(module, attribute, call)`` of an entry point, as gunicorn reads APP_MODULE.

    ``package.module:callable`` serves the attribute (``call`` is None);
    ``package.module:factory(...)`` calls it, with Python literals as
    arguments, for the app (``call`` is ``(args, kwargs)``);
    ``package.module`` alone means its ``application``, as uWSGI's
    ``--module`` and gunicorn take it. Raises ValueError saying why not.
    """
    module, _, expression = spec.strip().partition(":")
    expression = expression.strip() or "application"
    if all(part.isidentifier() for part in module.split(".")):
        try:
            node = ast.parse(expression, mode="eval").body
            if isinstance(node, ast.Name):
                return module, node.id, None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                args = tuple(ast.literal_eval(arg) for arg in node.args)
                kwargs = {kw.arg: ast.literal_eval(kw.value)
                          for kw in node.keywords if kw.arg is not None}
                if len(kwargs) == len(node.keywords):
                    return module, node.func.id, (args, kwargs)
        except (SyntaxError, ValueError, TypeError):
            pass
    raise ValueError("%r is not package.module:callable, "
                     "package.module:factory() or package.module" % spec)


def api_opts(name):
    """The options of API ``name``, as nova-api read them for any service name.

    nova's WSGIService took ``<name>_listen`` (default 0.0.0.0),
    ``<name>_listen_port`` and ``<name>_workers`` (unset: the number of
    CPUs) for whatever name it served. A built-in API has nova's port; any
    other has none, and minova stops with a line naming
    ``[DEFAULT] <name>_listen_port`` rather than pick a random port as
    nova's getattr default of 0 did: clients must know where it is.
    """
    port = BUILTIN_PORTS.get(name)
    return [
        cfg.HostAddressOpt(
            "%s_listen" % name,
            default="0.0.0.0",
            help="IP address on which the %s API listens." % name,
        ),
        cfg.PortOpt(
            "%s_listen_port" % name,
            default=port,
            help="Port on which the %s API listens." % name,
        ),
        cfg.IntOpt(
            "%s_workers" % name,
            min=1,
            help="Number of processes serving the %s API. Unset means the "
            "number of CPUs; 1 serves it in the twistd process itself."
            % name,
        ),
        cfg.Opt(
            "%s_wsgi_app" % name,
            type=EntryPoint(),
            help="minova addition: the WSGI entry point that serves the %s "
            "API, named as uWSGI's --module and gunicorn's APP_MODULE name "
            "it: package.module:callable (the module's import does its "
            "project's process set-up, e.g. nova.wsgi.osapi_compute:"
            "application), package.module:factory() (called for the app, "
            "e.g. keystone.server.wsgi:initialize_public_application()) or "
            "package.module (its 'application'). The import sees sys.argv as "
            "the program name alone and the process environment as twistd "
            "got it, in the twistd process (%s_workers = 1) or in each "
            "worker; with more workers twistd itself never imports it. "
            "Unset: the paste app %s in [wsgi] api_paste_config."
            % (name, name, name),
        ),
        cfg.BoolOpt(
            "%s_access_log" % name,
            default=True,
            help="minova addition: write minova's access line ([wsgi] "
            "wsgi_log_format) for each request of the %s API. Set it to "
            "false for an app that logs each request itself (nova's and "
            "placement's request log do, when hosted by anything but "
            "eventlet), so that each request is logged once. The app sees "
            "the choice as environ['minova.access_logged'] (minova's own "
            "request_log filter logs when it is false)." % name,
        ),
        cfg.IntOpt(
            "%s_max_request_body_size" % name,
            min=0,
            help="minova addition: the largest request body, in bytes, the "
            "host accepts for the %s API before the app runs; a larger one "
            "is refused with 413 at once, without being read. 0: the host "
            "sets no limit, and the app's own (e.g. its [oslo_middleware] "
            "max_request_body_size) is the one that counts. Unset: [oslo_"
            "middleware] max_request_body_size for a paste app (built with "
            "minova's configuration), no host limit for a <name>_wsgi_app "
            "entry point (its project reads its own configuration)." % name,
        ),
        cfg.StrOpt(
            "%s_process_group" % name,
            help="minova addition: the process group of the %s API: APIs "
            "share a process only within one group (each project keeps its configuration in process-global "
            "state: oslo.config's CONF, logging). The twistd process serves "
            "the <name>_workers = 1 APIs of the first such API's group; an "
            "API of another group runs in worker processes of its own, "
            "also at <name>_workers = 1. Unset: 'paste' for a paste app; "
            "for a <name>_wsgi_app entry point, the top-level package of "
            "its module (keystone, placement), or the whole module for a "
            "project whose APIs must not share a process (nova 33+: "
            "nova.wsgi.osapi_compute, nova.wsgi.metadata). Set it only to "
            "override that: to keep apart entry modules of one package "
            "that set up different projects, or to let APIs share a "
            "process their project allows." % name,
        ),
    ]


#: Projects whose WSGI entry modules must not share a process, each one
#: setting the project up for its own service (nova 33+: "the compute and
#: metadata APIs can no longer share a process", docs.openstack.org/nova/
#: latest/wsgi.html; its wsgi_app parses config and registers the service
#: once per process, for the first API imported).
ONE_PROCESS_PER_MODULE = frozenset(["nova"])

#: The process group of every paste app: all are built from minova's paste
#: file with minova's configuration.
PASTE_GROUP = "paste"


def process_group(conf, name):
    """The group of API ``name``: APIs may share a process only within one.

    ``<name>_process_group`` if set; else ``paste`` for a paste app, or
    the project of its entry point: the top-level package of its module,
    or the module itself for a project in ONE_PROCESS_PER_MODULE.
    """
    explicit = conf["%s_process_group" % name]
    if explicit:
        return explicit
    spec = conf["%s_wsgi_app" % name]
    if not spec:
        return PASTE_GROUP
    module = parse_entry_point(spec)[0]
    project = module.split(".")[0]
    return module if project in ONE_PROCESS_PER_MODULE else project


ALL_OPTS = service_opts + [opt for name in API_NAMES for opt in api_opts(name)]


def list_opts():
    return {"DEFAULT": ALL_OPTS}
