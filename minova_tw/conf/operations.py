"""Options of what operators look at while minova runs: reports, metrics, health (minova additions).

nova-api's Guru Meditation Report is configured by oslo.reports, which
minova does not use, and nova has no metrics endpoint; these groups are
minova's own. ``[healthcheck]`` is oslo.middleware's group: minova adds
the options of its ``database`` backend (minova_tw.api.healthcheck).
"""

from oslo_config import cfg

guru_meditation_group = cfg.OptGroup(
    "guru_meditation", title="Guru Meditation Report options",
    help="Where the report SIGUSR2 asks for goes (minova addition).")

guru_meditation_opts = [
    cfg.StrOpt(
        "report_dir",
        help="minova addition: directory the Guru Meditation Report of a "
        "process (SIGUSR2) is written to, one file per report named "
        "minova-gmr-<pid>-<time>.txt. Unset: the report goes to the log. A "
        "relative path is taken relative to the directory of the first "
        "config file.",
    ),
]

metrics_group = cfg.OptGroup(
    "metrics", title="Metrics options",
    help="The Prometheus metrics listener (minova addition; off unless "
    "listen_port is set).")

metrics_opts = [
    cfg.HostAddressOpt(
        "listen",
        default="127.0.0.1",
        help="minova addition: IP address the metrics listener binds.",
    ),
    cfg.PortOpt(
        "listen_port",
        help="minova addition: port of the metrics listener, which serves "
        "every API's metrics, workers included, in the Prometheus text "
        "format at /metrics. Unset (the default): no listener, and no "
        "metrics are recorded. Changing it takes a restart, not a SIGHUP.",
    ),
]


healthcheck_opts = [
    cfg.FloatOpt(
        "database_check_interval",
        default=5.0,
        min=0.1,
        help="minova addition: with the database backend in backends, "
        "seconds between two reads of the database by each process's "
        "health check thread. GET /healthcheck answers from the last read "
        "at once, so a balancer's checks never wait on the database and "
        "cost it one query per interval, however many there are.",
    ),
    cfg.FloatOpt(
        "database_check_timeout",
        default=5.0,
        min=0.1,
        help="minova addition: with the database backend in backends, "
        "seconds a read of the database may take; a read still waiting "
        "then makes GET /healthcheck answer 503 DATABASE DID NOT ANSWER "
        "(a silent database), until a read ends.",
    ),
]


def list_opts():
    return {guru_meditation_group: guru_meditation_opts,
            metrics_group: metrics_opts,
            "healthcheck": healthcheck_opts}
