"""[wsgi] options: how each API is served over HTTP (nova's names)."""

from oslo_config import cfg

wsgi_group = cfg.OptGroup("wsgi", title="WSGI options",
                          help="How the APIs are served over HTTP.")

DEFAULT_LOG_FORMAT = ('%(client_ip)s "%(request_line)s" status: '
                      '%(status_code)s len: %(body_length)s '
                      'time: %(wall_seconds).7f')

#: Forward-secret AEAD ciphers only (TLS 1.2), the modern choice.
DEFAULT_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"

wsgi_opts = [
    cfg.StrOpt(
        "api_paste_config",
        default="api-paste.ini",
        deprecated_group="DEFAULT",
        help="File name of the paste.deploy config holding the APIs. A "
        "relative path is looked up next to the config files.",
    ),
    cfg.StrOpt(
        "wsgi_log_format",
        default=DEFAULT_LOG_FORMAT,
        help="Format of the access log line written for each request. Keys: "
        "client_ip, date_time, request_line, status_code, body_length, "
        "wall_seconds.",
    ),
    cfg.StrOpt(
        "secure_proxy_ssl_header",
        help="A WSGI environ key such as HTTP_X_FORWARDED_PROTO; when the "
        "request has it, its value becomes wsgi.url_scheme.",
    ),
    cfg.StrOpt("ssl_ca_file",
               help="CA certificate file; when set, clients must present a "
               "certificate signed by it."),
    cfg.StrOpt("ssl_cert_file",
               help="Server certificate (with its chain) for the APIs in "
               "enabled_ssl_apis."),
    cfg.StrOpt("ssl_key_file",
               help="Private key of ssl_cert_file."),
    cfg.StrOpt(
        "ssl_minimum_version",
        default="1.2",
        choices=[("1.2", "TLS 1.2 and 1.3"), ("1.3", "TLS 1.3 only")],
        help="minova addition: the oldest TLS version the APIs in "
        "enabled_ssl_apis accept; 1.3 refuses TLS 1.2 clients. Nothing "
        "older than 1.2 is ever accepted.",
    ),
    cfg.StrOpt(
        "ssl_ciphers",
        default=DEFAULT_CIPHERS,
        help="minova addition: OpenSSL cipher string for TLS 1.2 "
        "connections (TLS 1.3 always uses OpenSSL's AEAD suites). The "
        "default allows only forward-secret AEAD ciphers. A string that "
        "selects no cipher stops startup.",
    ),
    cfg.BoolOpt(
        "http2",
        default=False,
        help="minova addition: also offer HTTP/2 (ALPN h2) on the APIs in "
        "enabled_ssl_apis; HTTP/1.1 is always offered, and plain-HTTP "
        "APIs never speak HTTP/2. Needs the h2 package. Off by default "
        "because Twisted's HTTP/2 server is less proven than its HTTP/1.1.",
    ),
    cfg.IntOpt("tcp_keepidle", default=600, min=0,
               help="TCP_KEEPIDLE seconds on client sockets."),
    cfg.IntOpt(
        "default_pool_size",
        default=1000,
        min=0,
        deprecated_name="wsgi_default_pool_size",
        deprecated_group="DEFAULT",
        help="Most client connections one process keeps open for an API. "
        "At the cap, the connection idle longest between requests is "
        "closed to let the next client in; when none is idle, new clients "
        "wait in the kernel's queue and responses, or connections as they go "
        "idle, close until one has closed.",
    ),
    cfg.IntOpt(
        "thread_pool_size",
        default=4,
        min=0,
        help="minova addition: threads in each process's pool that run the "
        "WSGI stacks (the reactor's shared pool). Few threads and more "
        "workers scale better than many threads: the threads share one "
        "interpreter lock, and each runnable thread adds lock hand-offs "
        "(measured: a cached flavor list cost 842 us of CPU a request with "
        "10 threads, 686 with 4). The pool runs one request at a time while "
        "that keeps a CPU busy, and wakes another thread for a waiting "
        "request when the running ones wait (on a database, another "
        "service): a stack that blocks gets up to this many threads at "
        "once, one that computes gets one. While threads are to spare, the "
        "thread that answered a keep-alive connection waits up to 2 ms for "
        "the client's next request and serves it too, without the reactor "
        "(a client that waits for each answer then costs one thread "
        "wake-up a request, not three). While a stack's requests take 1 ms "
        "of CPU or more on average (real nova's do), its kept connections "
        "wait in the pool's own epoll instead, where one thread serves all "
        "of them with no reactor turn between requests. 0 runs the stacks "
        "in the reactor thread itself, with no thread hop: the fastest "
        "path, but only for stacks that never block (a slow request then "
        "stalls every other request of the process).",
    ),
    cfg.ListOpt(
        "reserved_thread_paths",
        default=["/healthcheck"],
        help="minova addition: URL paths (each one, and the paths below "
        "it) whose requests run on one thread reserved for them in each "
        "process, apart from the thread_pool_size pool, so they are "
        "answered while every pool thread waits (on a locked or silent "
        "database, say) and a load balancer's health check does not time "
        "out behind them. Only for quick requests, such as oslo.middleware's "
        "/healthcheck with backends that do not wait (disable_by_file, "
        "minova's database backend, which answers from a cached probe): they "
        "queue behind each other on that one thread. Empty: every request "
        "runs on the pool. With thread_pool_size = 0 every request runs in "
        "the reactor thread and this does nothing.",
    ),
    cfg.IntOpt("max_header_line", default=16384, min=0,
               help="Longest request header line accepted, in bytes; a "
               "longer one is answered 431 and the connection closed."),
    cfg.IntOpt(
        "max_header_size",
        default=65536,
        min=1024,
        help="minova addition: most bytes the request line and all headers "
        "of one request may take together; more is answered 431 and the "
        "connection closed. The default leaves room for Keystone tokens "
        "(PKI tokens of several KiB, a Fernet token plus a service token, "
        "and the catalog headers some proxies add), as the 64 KiB "
        "buffer-size OpenStack's uWSGI configurations use does.",
    ),
    cfg.IntOpt(
        "header_timeout",
        default=30,
        min=0,
        help="minova addition: seconds a client has to send the whole head "
        "(request line and headers) of a request, from the connection's "
        "start for its first request and from the first byte of each "
        "later one; then it is answered 408 and the connection closed. "
        "Unlike client_socket_timeout, which every byte restarts, this "
        "cannot be stretched by a client trickling its headers (slowloris). "
        "0 means no deadline.",
    ),
    cfg.IntOpt(
        "body_timeout",
        default=30,
        min=0,
        help="minova addition: seconds a client has to send the body of a "
        "request, from the end of its head, plus one second for every "
        "body_min_rate bytes of it received so far; then it is answered "
        "408 and the connection closed. Unlike client_socket_timeout, which "
        "every byte restarts, this cannot be stretched by a client "
        "trickling its body, while an upload of any size at a steady rate "
        "goes on (Apache's mod_reqtimeout body timeout with MinRate). 0 "
        "means no deadline.",
    ),
    cfg.IntOpt(
        "body_min_rate",
        default=500,
        min=0,
        help="minova addition: bytes a second a request body must keep up, "
        "on average, past its first body_timeout seconds: each this many "
        "bytes received extend body_timeout by one second. 0 makes "
        "body_timeout a deadline for the whole body, whatever its size.",
    ),
    cfg.BoolOpt("keep_alive", default=True,
                deprecated_name="wsgi_keep_alive", deprecated_group="DEFAULT",
                help="Keep client connections open between requests "
                "(HTTP keep-alive). False closes after each response."),
    cfg.IntOpt(
        "client_socket_timeout",
        default=900,
        min=0,
        help="Seconds an idle client connection is kept open. 0 means wait "
        "forever.",
    ),
    cfg.IntOpt(
        "worker_max_requests",
        default=0,
        min=0,
        help="minova addition: requests a worker process serves before the "
        "parent replaces it with a fresh one (started first, so no request "
        "is dropped), to bound slow memory growth. 0 never replaces "
        "workers. Only applies to APIs with <api>_workers > 1.",
    ),
    cfg.IntOpt(
        "worker_max_requests_jitter",
        default=0,
        min=0,
        help="minova addition: a random number from 0 to this is added to "
        "worker_max_requests for each worker, so workers started together "
        "are not all replaced at once.",
    ),
]


def list_opts():
    return {wsgi_group: wsgi_opts}
