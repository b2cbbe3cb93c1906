"""Options of the process itself: which APIs, where they listen, how many workers.

Names and defaults are nova-api's ([DEFAULT] group), so an operator's
nova.conf fragment carries over unchanged.
"""

from oslo_config import cfg

API_NAMES = ("osapi_compute", "metadata")

service_opts = [
    cfg.ListOpt(
        "enabled_apis",
        default=list(API_NAMES),
        help="List of APIs to enable, in start order. Each name is a paste "
        "app in [wsgi] api_paste_config: osapi_compute and metadata. "
        "minova deviation: other names are accepted here; a name with no "
        "paste app is logged as a warning and skipped, as Ocata's nova-api "
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


def _api_opts(name, port):
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
    ]


listen_opts = _api_opts("osapi_compute", 8774) + _api_opts("metadata", 8775)

ALL_OPTS = service_opts + listen_opts


def list_opts():
    return {"DEFAULT": ALL_OPTS}
