"""What bench/ measures: the stacks and their endpoints, the hosts, the load shapes.

Everything a run varies is a row in one of these tables; the code that runs
them (``bench.runner``) has no list of its own. An endpoint that needs data
names a seed step (``bench.seed``); an endpoint whose path answers 404 on
minova is skipped with that reason, so resources light up as they land.
``nova_cpu_ms`` is real nova 34.0.0's CPU per request for the same call and
``nova_share`` the fraction of it minova may use (issue #9).
"""

import dataclasses
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE_PASTE = os.path.join(ROOT, "bench", "refstack", "api-paste.ini")
MINOVA_PASTE = os.path.join(ROOT, "etc", "api-paste.ini")

#: noauth2's token for the administrator of project "admin".
ADMIN = (("X-Auth-Token", "admin:admin"),)
#: The hosted nova's administrator (tests.hosting.tokenauth's fixed token).
NOVA_ADMIN = (("X-Auth-Token", "admin-token"),)


@dataclasses.dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    headers: tuple = ()
    seed: str = None
    nova_cpu_ms: float = None
    nova_share: float = None
    #: Connections to measure with instead of the stack's shapes: for a
    #: request so costly that 64 queued ones wait past wrk's 2 s timeout,
    #: which cuts requests and leaves CPU per request meaningless.
    connections: int = None


@dataclasses.dataclass(frozen=True)
class Stack:
    name: str
    api: str
    paste_file: str
    endpoints: tuple
    #: A project's own WSGI entry module to serve instead of the paste
    #: file (bench.hosted): the stack runs from the hosting venv.
    entry_point: str = None
    #: The host kinds that serve it, or None for all.
    kinds: tuple = None


STACKS = (
    Stack("reference", "osapi_compute", REFERENCE_PASTE, (
        Endpoint("GET /", "/"),
    )),
    Stack("compute", "osapi_compute", MINOVA_PASTE, (
        Endpoint("GET /", "/", nova_cpu_ms=1.73, nova_share=1 / 5),
        Endpoint("GET /v2.1/flavors/detail", "/v2.1/flavors/detail", ADMIN,
                 nova_cpu_ms=5.9, nova_share=1 / 10),
        Endpoint("GET /v2.1/os-keypairs", "/v2.1/os-keypairs", ADMIN,
                 seed="keypairs", nova_cpu_ms=4.8, nova_share=1 / 10),
        Endpoint("GET /v2.1/servers/detail (100)", "/v2.1/servers/detail",
                 ADMIN, seed="servers", nova_cpu_ms=226, nova_share=1 / 20,
                 connections=8),
    )),
    Stack("metadata", "metadata", MINOVA_PASTE, (
        Endpoint("GET /openstack/latest/meta_data.json",
                 "/openstack/latest/meta_data.json",
                 (("X-Forwarded-For", "{server_ip}"),),
                 seed="server_ip", nova_cpu_ms=0.23, nova_share=1.0),
    )),
    # Real nova 34.0.0, hosted: the same app on every host, so the rows
    # compare hosts, not stacks. minova-inline is left out: nova's requests
    # block on its database, which would stall the reactor thread; and
    # twistd web, whose --wsgi cannot hide twistd's argv from nova's
    # config parsing.
    Stack("nova", "osapi_compute", None, (
        Endpoint("GET /", "/"),
        # nova spends tens of ms of CPU on it: 64 queued requests would
        # wait past wrk's 2 s timeout.
        Endpoint("GET /v2.1/flavors/detail", "/v2.1/flavors/detail",
                 NOVA_ADMIN, seed="nova_flavors", connections=16),
    ), entry_point="nova.wsgi.osapi_compute:application",
        kinds=("minova", "uwsgi", "gunicorn-sync", "gunicorn-gthread",
               "granian", "apache")),
)


@dataclasses.dataclass(frozen=True)
class Host:
    kind: str
    procs: int
    #: Why this host cannot run at all, decided before starting it.
    unsupported: str = None

    @property
    def label(self):
        return "%s-p%d" % (self.kind, self.procs)


#: The host every ratio is quoted against (same procs, same run).
BASELINE = "uwsgi"

#: uWSGI's req/s on the reference stack at c=64 keep-alive, by processes,
#: as shared/reference/perf-anchors.md measured it before minova existed
#: (the machine where nova 34.0.0's CPU figures were taken): set beside
#: this run's uWSGI, it says how fast this machine is against that one.
ANCHOR_UWSGI_RPS = {1: 4400, 2: 10900}

#: The minova hosts, with the [wsgi] options each adds to its config:
#: ``minova`` is the default (the app on the thread pool), ``minova-inline``
#: runs the app in the reactor thread, with no thread hop.
MINOVA_KINDS = {"minova": {},
                "minova-inline": {"thread_pool_size": 0}}

#: The hosts issue #18 sets minova's targets against besides uWSGI:
#: granian (Rust, ``--interface wsgi --blocking-threads 4``, its access
#: log on as minova's is) and Apache's mod_wsgi in daemon mode with one
#: thread per process, as Kolla ships nova-api (bench.apache). Both answer
#: a request's ``Connection: close`` with ``connection: close`` and close,
#: so their close cells need no twin.
PEERS = ("granian", "apache")

#: Arguments for a twin of a host that ignores a request's ``Connection:
#: close``; the close shapes are measured on the twin. uWSGI's
#: ``--http11-socket`` keeps an HTTP/1.1 connection open whatever the
#: request says (it closes only on errors and HTTP/1.0) and its response
#: says nothing of it, so wrk, which reconnects only when a response says
#: close, would measure keep-alive there. With the header on every response
#: wrk closes its side after each one, as a real client that sent close
#: does, and uWSGI closes when it reads the end: one connection a request.
CLOSE_TWIN_ARGS = {"uwsgi": ("--add-header", "Connection: close")}

HOSTS = tuple(
    Host(kind, procs,
         "twistd web serves from one process only"
         if kind == "twistd-web" and procs > 1 else None)
    for procs in (1, 2)
    for kind in (*MINOVA_KINDS, "uwsgi", "gunicorn-sync",
                 "gunicorn-gthread", "twistd-web", *PEERS))


@dataclasses.dataclass(frozen=True)
class Shape:
    connections: int
    keep_alive: bool = True

    @property
    def label(self):
        return "c%d %s" % (self.connections,
                           "keep-alive" if self.keep_alive else "close")


FOCUS = Shape(64)
#: Where two uWSGI processes of 4 threads serve every connection, so that
#: p99 covers the same connections on every host.
ALL_SERVED = Shape(8)
FULL_SHAPES = tuple(Shape(c, ka) for ka in (True, False)
                    for c in ((1, 8, 64, 256) if ka else (1, 64, 256)))


@dataclasses.dataclass(frozen=True)
class Mode:
    """How long and how often: one of MODES."""

    reps: int
    #: Seconds (wrk takes whole seconds) of unmeasured load before a cell's
    #: first repetition (the host stays up, so later ones start warm), and
    #: of measured load.
    warmup: int
    duration: int
    #: Shapes for the reference stack, and for every other stack.
    reference_shapes: tuple
    other_shapes: tuple = (FOCUS,)
    #: Endpoint labels to run, or None for all.
    endpoints: tuple = None
    #: Run only the one-process minova hosts and the first other
    #: one-process host installed.
    smoke_hosts: bool = False
    #: Whether stacks with an entry point (real nova: its set-up alone
    #: takes a minute) run when no --stacks names them.
    hosted: bool = True


MODES = {
    "full": Mode(reps=3, warmup=1, duration=3,
                 reference_shapes=FULL_SHAPES),
    "every": Mode(reps=3, warmup=1, duration=3,
                  reference_shapes=FULL_SHAPES, other_shapes=FULL_SHAPES),
    "quick": Mode(reps=1, warmup=1, duration=2,
                  reference_shapes=(FOCUS,)),
    "smoke": Mode(reps=1, warmup=0, duration=1,
                  reference_shapes=(Shape(8),), other_shapes=(Shape(8),),
                  endpoints=("GET /",),
                  smoke_hosts=True, hosted=False),
}


def shapes(mode, stack, endpoint=None):
    """The load shapes ``endpoint`` of ``stack`` is measured with.

    An endpoint with its own ``connections`` gets the mode's shapes up to
    that many connections, or just its focus shape.
    """
    every = (mode.reference_shapes if stack.name == "reference"
             else mode.other_shapes)
    if endpoint is not None and endpoint.connections and not mode.smoke_hosts:
        return tuple(s for s in every
                     if s.connections <= endpoint.connections) or (
                         focus(endpoint),)
    return every


def find(stack_name, label):
    """``(stack, endpoint)`` of the stack named ``stack_name`` and its
    endpoint ``label`` ("GET /"); a LookupError that names what the stack
    has when it has no such endpoint."""
    stack = next(s for s in STACKS if s.name == stack_name)
    for endpoint in stack.endpoints:
        if endpoint.label == label:
            return stack, endpoint
    raise LookupError("the %s stack has no endpoint %r (it has: %s)" % (
        stack.name, label, ", ".join(e.label for e in stack.endpoints)))


def focus(endpoint):
    """The shape the targets read ``endpoint`` at: c=64 keep-alive, unless
    the endpoint says otherwise."""
    return Shape(endpoint.connections) if endpoint.connections else FOCUS
