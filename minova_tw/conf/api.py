"""[api] options: behaviour of the compute and metadata stacks (nova's names)."""

from oslo_config import cfg

api_group = cfg.OptGroup("api", title="API options",
                         help="Behaviour of the compute and metadata APIs.")

api_opts = [
    cfg.StrOpt(
        "auth_strategy",
        default="keystone",
        choices=[
            ("keystone", "keystonemiddleware's authtoken validates tokens "
             "(needs the [keystone] extra)"),
            ("noauth2", "tokens are 'user:project' and are not checked; "
             "for testing only"),
        ],
        deprecated_group="DEFAULT",
        help="Which pipeline of the paste composite authenticates requests.",
    ),
    cfg.BoolOpt(
        "use_forwarded_for",
        default=False,
        help="Treat X-Forwarded-For as the client address (for the request "
        "context and the metadata lookup). Only behind a trusted proxy.",
    ),
    cfg.IntOpt("max_limit", default=1000, min=0,
               deprecated_name="osapi_max_limit", deprecated_group="DEFAULT",
               help="Most items one collection response returns."),
    cfg.StrOpt(
        "compute_link_prefix",
        deprecated_name="osapi_compute_link_prefix",
        deprecated_group="DEFAULT",
        help="Base URL for links in compute responses: replaces their "
        "scheme and host and prepends its path.",
    ),
    cfg.StrOpt(
        "glance_link_prefix",
        deprecated_name="osapi_glance_link_prefix",
        deprecated_group="DEFAULT",
        help="Base URL for image links in compute responses.",
    ),
    cfg.BoolOpt("enable_instance_password", default=True,
                help="Return adminPass from server create, rebuild and "
                "rescue."),
    cfg.IntOpt("metadata_cache_expiration", default=15, min=0,
               help="Seconds the metadata service caches a server's data; 0 "
               "disables the cache."),
    cfg.StrOpt("dhcp_domain", default="novalocal",
               help="Domain appended to hostnames in metadata; empty for the "
               "bare hostname."),
    cfg.ListOpt(
        "config_drive_skip_versions",
        default=["1.0", "2007-01-19", "2007-03-01", "2007-08-29",
                 "2007-10-10", "2007-12-15", "2008-02-01", "2008-09-01"],
        help="EC2 metadata versions left out of a config drive.",
    ),
    cfg.ListOpt(
        "vendordata_providers",
        default=["StaticJSON"],
        item_type=cfg.types.String(choices=["StaticJSON", "DynamicJSON"]),
        help="Vendor data providers of the metadata service.",
    ),
    cfg.StrOpt("vendordata_jsonfile_path",
               help="JSON file served as static vendor data."),
    cfg.ListOpt("vendordata_dynamic_targets", default=[],
                help="Dynamic vendor data targets, each 'name@url'."),
    cfg.StrOpt("vendordata_dynamic_ssl_certfile", default="",
               help="CA file for dynamic vendor data targets over HTTPS."),
    cfg.IntOpt("vendordata_dynamic_connect_timeout", default=5, min=3,
               help="Seconds to connect to a dynamic vendor data target."),
    cfg.IntOpt("vendordata_dynamic_read_timeout", default=5, min=0,
               help="Seconds to read from a dynamic vendor data target."),
    cfg.BoolOpt("vendordata_dynamic_failure_fatal", default=False,
                help="Fail the metadata request when a dynamic vendor data "
                "target fails."),
]

neutron_group = cfg.OptGroup("neutron", title="Neutron options",
                             help="How the metadata proxy is trusted.")

neutron_opts = [
    cfg.BoolOpt(
        "service_metadata_proxy",
        default=False,
        help="Trust X-Instance-ID, X-Tenant-ID and X-Instance-ID-Signature "
        "headers from neutron's metadata proxy instead of looking servers "
        "up by client address.",
    ),
    cfg.StrOpt("metadata_proxy_shared_secret", default="", secret=True,
               help="HMAC key that signs the metadata proxy's requests."),
]

quota_group = cfg.OptGroup("quota", title="Quota options",
                           help="Default per-project limits.")

quota_opts = [
    cfg.IntOpt("instances", default=10, min=-1,
               help="Servers per project; -1 is unlimited."),
    cfg.IntOpt("cores", default=20, min=-1,
               help="Server VCPUs per project; -1 is unlimited."),
    cfg.IntOpt("ram", default=51200, min=-1,
               help="Server RAM in MiB per project; -1 is unlimited."),
    cfg.IntOpt("metadata_items", default=128, min=-1,
               help="Metadata items per server; -1 is unlimited."),
    cfg.IntOpt("injected_files", default=5, min=-1,
               help="Injected files per server; -1 is unlimited."),
    cfg.IntOpt("injected_file_content_bytes", default=10240, min=-1,
               help="Bytes per injected file; -1 is unlimited."),
    cfg.IntOpt("injected_file_path_length", default=255, min=-1,
               help="Characters in an injected file's path."),
    cfg.IntOpt("key_pairs", default=100, min=-1,
               help="Key pairs per user; -1 is unlimited."),
    cfg.IntOpt("server_groups", default=10, min=-1,
               help="Server groups per project; -1 is unlimited."),
    cfg.IntOpt("server_group_members", default=10, min=-1,
               help="Servers per server group; -1 is unlimited."),
]

database_group = cfg.OptGroup("database", title="Database options",
                              help="Where minova keeps its state.")

database_opts = [
    cfg.StrOpt(
        "connection",
        secret=True,
        help="SQLAlchemy URL of the database, e.g. "
        "postgresql+psycopg://user:pw@host/minova or "
        "mysql+pymysql://user:pw@host/minova. Unset: an SQLite file "
        "minova.sqlite under state_path.",
    ),
    cfg.FloatOpt(
        "sqlite_busy_timeout",
        default=30.0,
        min=0,
        help="minova addition: seconds an SQLite connection waits for a "
        "lock another process holds (worker processes share the file). A "
        "request still waiting then is answered 503 serviceUnavailable "
        "with Retry-After. Unused for other databases.",
    ),
    # oslo.db's pool options, with its names and defaults.
    cfg.IntOpt(
        "connection_recycle_time",
        default=3600,
        min=1,
        help="Connections which have been present in the connection pool "
        "longer than this number of seconds will be replaced with a new one "
        "the next time they are checked out from the pool.",
    ),
    cfg.IntOpt(
        "max_pool_size",
        default=5,
        min=0,
        help="Maximum number of SQL connections to keep open in a pool, per "
        "process. Setting a value of 0 indicates no limit.",
    ),
    cfg.IntOpt(
        "max_overflow",
        default=50,
        min=0,
        help="Connections a process may open beyond max_pool_size when all "
        "are in use; they are closed when returned.",
    ),
    cfg.IntOpt(
        "pool_timeout",
        default=10,
        min=1,
        help="Seconds a request waits for a free pooled connection when "
        "max_pool_size + max_overflow are in use; then it is answered 503 "
        "serviceUnavailable with Retry-After. (oslo.db leaves it unset; "
        "minova bounds every database wait.)",
    ),
    # minova's bounds on waits for the server (minova_tw/db/timeouts.py).
    cfg.IntOpt(
        "connect_timeout",
        default=5,
        min=1,
        help="minova addition: seconds to open a connection to a PostgreSQL "
        "or MariaDB server (for PostgreSQL including its authentication; "
        "for MariaDB the TCP connection, its handshake is bounded like a "
        "statement). Unused for SQLite.",
    ),
    cfg.IntOpt(
        "statement_timeout",
        default=30,
        min=1,
        help="minova addition: seconds one statement, or a wait for a lock, "
        "may take on a PostgreSQL or MariaDB server before the server "
        "aborts it (PostgreSQL statement_timeout; MariaDB "
        "max_statement_time and innodb_lock_wait_timeout). A server that "
        "answers nothing for this long plus one second (a silent network "
        "or a hung server) loses the connection, and the request is "
        "answered 503 serviceUnavailable with Retry-After. It applies to "
        "migrations too: raise it for minova-manage db sync on a large "
        "database. Unused for SQLite (see sqlite_busy_timeout).",
    ),
    cfg.IntOpt(
        "idle_transaction_timeout",
        default=5,
        min=1,
        help="minova addition: seconds a PostgreSQL or MariaDB server keeps "
        "a transaction whose client has gone quiet in the middle of it "
        "before it ends the session and releases its locks (PostgreSQL "
        "idle_in_transaction_session_timeout; MariaDB "
        "idle_transaction_timeout). minova sends a unit of work's "
        "statements back to back, so a quiet client is one the network "
        "lost; meanwhile every request of the other hosts that needs the "
        "same lock (a project's quota, a user's key pairs, the address "
        "pool) waits. Unused for SQLite.",
    ),
    cfg.BoolOpt(
        "tcp_keepalive",
        default=True,
        help="minova addition: TCP keepalive on PostgreSQL connections, so "
        "that an idle pooled connection to a server that vanished is "
        "found dead before it is used (libpq keepalives). PyMySQL always "
        "turns it on with the kernel's timings.",
    ),
    cfg.IntOpt(
        "tcp_keepalive_idle",
        default=30,
        min=1,
        help="minova addition: seconds a PostgreSQL connection is idle "
        "before the first keepalive probe (libpq keepalives_idle).",
    ),
    cfg.IntOpt(
        "tcp_keepalive_interval",
        default=10,
        min=1,
        help="minova addition: seconds between keepalive probes on a "
        "PostgreSQL connection (libpq keepalives_interval).",
    ),
    cfg.IntOpt(
        "tcp_keepalive_count",
        default=3,
        min=1,
        help="minova addition: unanswered keepalive probes after which a "
        "PostgreSQL connection is dead (libpq keepalives_count).",
    ),
]

GROUPS = (
    (api_group, api_opts),
    (neutron_group, neutron_opts),
    (quota_group, quota_opts),
    (database_group, database_opts),
)


def list_opts():
    return {group: opts for group, opts in GROUPS}
