"""Several hosts on one database stay correct under concurrency (issue 16).

Two kinds of test, each on real ``twistd -n minova`` processes:

* races: 16 requests released at once (a barrier) — creates in one
  project with ``[quota] instances = 10`` (single, and with ``max_count``),
  key pair creates with ``key_pairs = 10``, deletes of one key pair — give
  exactly the quota and exactly one winner, on SQLite (one host, two
  workers) and on PostgreSQL and MariaDB (three hosts on 127.0.0.2-4, two
  workers each, the requests spread over the hosts directly);
* the topology: the same three hosts behind haproxy (the operations page's
  example config), with the ``database`` health backend and small
  ``[database]`` timeouts as that page advises for several hosts, each host
  reaching the one database through a relay of its own (so that one host
  can lose it alone); a bounded 16-thread workload of creates (some with
  ``min_count``/``max_count``), actions, deletes and key pairs; meanwhile
  one host killed with SIGKILL, then one host's database silent (packets
  held, nothing answered, as behind a firewall that drops them) until
  haproxy has taken that host out and served around it, then, once it is
  back, every host's database refusing for a few seconds. Each step waits
  for haproxy's view (its stats socket), within a bound derived from its
  ``inter``/``fall``/``rise`` and the health check's interval and timeout.
  Then: zero quota overshoot at every sample and at the end (in the
  database and through the API); no 5xx but nova's 503 (with Retry-After)
  from the silent host before haproxy took it out, the outage's 503s, and
  the balancer's 502 for a request the killed host was serving; no request
  served by the silent host after haproxy took it out, every request it got
  answered within the bound its timeouts give, and none of the other
  hosts' answers a 5xx meanwhile; every 202'd server present or
  deliberately deleted and settled; identical listings from every
  surviving host.

The refusing outage stays a refusal (not a silence): silence is the single
host's phase, and a refusal on every host is what makes haproxy take every
host out and answer 503 itself, a state the run must also get through.
"""

import collections
import functools
import itertools
import pprint
import random
import threading

import pytest
import sqlalchemy as sa

from tests.functional import topology
from tests.functional.dbrelay import Relay
from tests.functional.compute import PUBLIC_KEY
from tests.functional.dbrelay import silent_bound
from tests.functional.workload import (Record, run_threads, server_body,
                                       session, together)
from tests.polling import wait_for

#: The load tests (topology, soak, SQLite load) run one after another on
#: one xdist worker: each makes the machine busy on purpose and bounds
#: its latencies for that load alone.
pytestmark = pytest.mark.xdist_group("load")


#: Small quotas to race for, and short build and action times.
SECTIONS = {"quota": {"instances": 10, "key_pairs": 10},
            "minova": {"build_time": 0.5, "action_time": 0.3}}
RACERS = 16


def _races(urls, usage):
    """The four races over the hosts at ``urls`` (taken in turn); what was
    observed, as a dict the tests compare with what must be."""
    record = Record()

    def spread(token):
        """One (host URL, session) per racer, the hosts taken in turn, each
        session already connected (so the racers start level)."""
        clients = [(urls[index % len(urls)], session(token))
                   for index in range(RACERS)]
        for url, http in clients:
            assert http.get(url + "/v2.1/flavors",
                            timeout=30).status_code == 200
        return clients

    def create(project, **extra):
        clients = spread("race:" + project)

        def call(index):
            url, http = clients[index]
            return record.call(http, "create", "POST", url + "/v2.1/servers",
                               server_body("r%d" % index, **extra))
        return call

    def tally(answers):
        return dict(collections.Counter(a.status or a.error for a in answers))

    observed = {}
    single = together(RACERS, create("race-single"))
    observed["single creates"] = tally(single)
    multi = together(RACERS, create("race-multi", min_count=1, max_count=10,
                                    return_reservation_id=True))
    observed["max_count creates"] = tally(multi)
    observed["servers made by max_count creates (db)"] = sum(
        len(usage.reservation(a.body["reservation_id"]))
        for a in multi if a.status == 202)
    servers = usage.servers()
    observed["live servers (db)"] = {
        project: servers.get(project, 0)
        for project in ("race-single", "race-multi")}
    observed["live servers per host (api)"] = {
        url: {project: len(record.call(
            session("race:" + project), "list", "GET",
            url + "/v2.1/servers").body["servers"])
            for project in ("race-single", "race-multi")}
        for url in urls}

    clients = spread("race-keys:race")

    def keypair_create(index):
        url, http = clients[index]
        return record.call(http, "keypair", "POST", url + "/v2.1/os-keypairs",
                           {"keypair": {"name": "k%d" % index,
                                        "public_key": PUBLIC_KEY}})
    observed["keypair creates"] = tally(together(RACERS, keypair_create))
    observed["key pairs (db)"] = usage.keypairs().get("race-keys", 0)

    deleter = session("race-delete:race")
    created = record.call(deleter, "keypair", "POST",
                          urls[0] + "/v2.1/os-keypairs",
                          {"keypair": {"name": "shared",
                                       "public_key": PUBLIC_KEY}})
    assert created.status == 201, created

    clients = spread("race-delete:race")

    def keypair_delete(index):
        url, http = clients[index]
        return record.call(http, "keypair", "DELETE",
                           url + "/v2.1/os-keypairs/shared")
    observed["deletes of one key pair"] = tally(together(RACERS,
                                                         keypair_delete))
    return observed


def _expected(urls):
    return {
        "single creates": {202: 10, 403: 6},
        "max_count creates": {202: 1, 403: 15},
        "servers made by max_count creates (db)": 10,
        "live servers (db)": {"race-single": 10, "race-multi": 10},
        "live servers per host (api)": {
            url: {"race-single": 10, "race-multi": 10} for url in urls},
        "keypair creates": {201: 10, 403: 6},
        "key pairs (db)": 10,
        "deletes of one key pair": {204: 1, 404: 15},
    }


def test_races_on_sqlite_one_host_two_workers(minova, tmp_path):
    hosts = topology.start_hosts(minova, tmp_path, None, count=1,
                                 sections=SECTIONS)
    usage = topology.Usage(topology.sqlite_url(tmp_path, "host1"))
    try:
        urls = [topology.base_url(p) for p in hosts.values()]
        assert _races(urls, usage) == _expected(urls)
    finally:
        usage.dispose()


def test_races_on_a_database_server_three_hosts(server_database, minova,
                                                tmp_path):
    # server_database first: it is dropped after the hosts have stopped.
    hosts = topology.start_hosts(minova, tmp_path, server_database,
                                 sections=SECTIONS)
    usage = topology.Usage(server_database)
    try:
        urls = [topology.base_url(p) for p in hosts.values()]
        assert _races(urls, usage) == _expected(urls)
    finally:
        usage.dispose()


#: The workload: 16 client threads, 4 per project (one user each), each
#: stopping after OPERATIONS requests, AFTER seconds past the timeline's
#: last event, or WORK_SECONDS (a bound on a run that goes wrong, not its
#: pace), whichever is first.
CLIENTS = 16
PROJECTS = 4
OPERATIONS = 1000
WORK_SECONDS = 60.0
AFTER = 2.0
#: The hosts' health check and database bounds, as the operations page
#: advises for several hosts but small, so that each phase takes seconds:
#: the ``database`` health backend reads the database every CHECK_INTERVAL
#: seconds and calls a read that waits CHECK_TIMEOUT an outage; a silent
#: database is 503 after SILENT_503 seconds at most.
CHECK_INTERVAL = 0.5
CHECK_TIMEOUT = 1.0
#: Also the bound on a wait for a lock row: creates in one project queue on
#: its lock, and every create on the address pool's, so on a loaded 2-core
#: machine a create can wait seconds for its turn; 2 s made that queue a
#: 503 now and then, and so did 5 s once a create also chose its host among
#: the fleet's services, with the test suite's other xdist workers busy.
STATEMENT_TIMEOUT = 8
#: Under STATEMENT_TIMEOUT, so that a transaction the silent host left on
#: the server is ended (its locks released) before the other hosts'
#: statements waiting for those locks reach their own timeout.
IDLE_TRANSACTION_TIMEOUT = 1
CONNECT_TIMEOUT = 2  # libpq and psycopg take less than 2 s as 2 s
POOL_TIMEOUT = 2
TOPOLOGY_SECTIONS = dict(
    SECTIONS,
    healthcheck={"backends": "database",
                 "database_check_interval": CHECK_INTERVAL,
                 "database_check_timeout": CHECK_TIMEOUT},
    database={"statement_timeout": STATEMENT_TIMEOUT,
              "idle_transaction_timeout": IDLE_TRANSACTION_TIMEOUT,
              "connect_timeout": CONNECT_TIMEOUT,
              "pool_timeout": POOL_TIMEOUT})
#: haproxy's check period and the failed / passed checks in a row that
#: take a server out / put it back, from the page's example config.
INTER, FALL, RISE = topology.check_timing()
#: Seconds added to each derived bound: haproxy's check scheduling, the
#: 20 ms polls of the timeline, a loaded machine (with 1 s, a CI run on a
#: machine at load 8 timed out waiting for haproxy to put the hosts back
#: after the outage).
SLACK = 3.0
#: Seconds from a host's database going silent to haproxy taking the host
#: out: its next probe starts within CHECK_INTERVAL and is an outage once
#: it has waited CHECK_TIMEOUT; then FALL failed checks, INTER apart.
DETECTION = CHECK_INTERVAL + CHECK_TIMEOUT + FALL * INTER + SLACK
#: Seconds a request may wait for a silent database before its 503.
SILENT_503 = silent_bound(STATEMENT_TIMEOUT, CONNECT_TIMEOUT) + SLACK
#: Seconds from the database answering again to haproxy putting a host
#: back: its next probe, then RISE passed checks.
REJOIN = CHECK_INTERVAL + RISE * INTER + SLACK
#: Seconds from SIGKILL to haproxy taking the host out: FALL refused checks.
KILL_DETECTION = (FALL + 1) * INTER + SLACK
#: When (seconds into the workload) host3 is killed; which host's database
#: goes silent once haproxy has taken host3 out, and how many requests the
#: other host must answer once haproxy has taken the silent one out too
#: (the balancer serves around it) before its database talks again.
KILL_AT = 3.0
KILLED = "host3"
SILENCED = "host1"
SERVED_AROUND = 20
#: Seconds every host's database refuses (every connection reset, new
#: ones refused), once the silent host is served again.
OUTAGE_SECONDS = 3.0
#: Seconds every server has to reach ACTIVE or SHUTOFF after the workload.
SETTLE_SECONDS = 15.0
#: Seconds SIGKILL of a host's three processes may take.
KILL_SLACK = 0.5
#: What haproxy names as the server of an answer it made itself.
NO_SERVER = "<NOSRV>"
SETTLED = ("ACTIVE", "SHUTOFF")
ACTIONS = ({"reboot": {"type": "SOFT"}}, {"os-stop": None},
           {"os-start": None})


class Workload:
    """What the client threads did, and what they must find afterwards."""

    def __init__(self, base):
        self.base = base + "/v2.1"
        self.record = Record()
        self.created = {}        # server id -> its project (202'd)
        self.deleted = set()     # server ids whose DELETE got 204
        self.unsure = set()      # server ids whose DELETE got no answer
        self.reservations = []   # (reservation_id, min_count, max_count)

    def client(self, index, stop):
        """One client thread: random operations, seeded by ``index``."""
        rand = random.Random(index)
        project = index % PROJECTS
        http = session("user%d:project%d" % (project, project))
        call = functools.partial(self.record.call, http)
        mine, keys = [], []
        for number in range(OPERATIONS):
            if stop():
                return
            op = rand.choices(("create", "multi", "action", "delete",
                               "keypair", "unkeypair", "list"),
                              (25, 8, 20, 15, 12, 10, 10))[0]
            if op == "create":
                answer = call("create", "POST", self.base + "/servers",
                              server_body("c%d-%d" % (index, number)))
                if answer.status == 202:
                    mine.append(answer.body["server"]["id"])
                    self.created[mine[-1]] = "project%d" % project
            elif op == "multi":
                low = rand.choice((1, 2))
                answer = call("create", "POST", self.base + "/servers",
                              server_body("m%d-%d" % (index, number),
                                          min_count=low, max_count=3,
                                          return_reservation_id=True))
                if answer.status == 202:
                    reservation = answer.body["reservation_id"]
                    self.reservations.append((reservation, low, 3))
                    listed = call("list", "GET", self.base + "/servers",
                                  params={"reservation_id": reservation})
                    if listed.status == 200:
                        mine += [s["id"] for s in listed.body["servers"]]
            elif op == "action" and mine:
                call("action", "POST", self.base + "/servers/%s/action"
                     % rand.choice(mine), rand.choice(ACTIONS))
            elif op == "delete" and mine:
                server_id = mine.pop(rand.randrange(len(mine)))
                answer = call("delete", "DELETE",
                              self.base + "/servers/" + server_id)
                if answer.status == 204:
                    self.deleted.add(server_id)
                elif answer.status is None or answer.status >= 500:
                    self.unsure.add(server_id)
            elif op == "keypair":
                name = "k%d-%d" % (index, number)
                answer = call("keypair", "POST", self.base + "/os-keypairs",
                              {"keypair": {"name": name,
                                           "public_key": PUBLIC_KEY}})
                if answer.status == 201:
                    keys.append(name)
            elif op == "unkeypair" and keys:
                call("keypair", "DELETE", self.base + "/os-keypairs/"
                     + keys.pop(rand.randrange(len(keys))))
            else:
                call("list", "GET", self.base + "/servers/detail")


class Sampler:
    """Counts servers and key pairs while the workload runs: in the
    database, and through the API of each living host in turn."""

    def __init__(self, usage, record, hosts):
        self.usage = usage
        self.record = record
        self.hosts = hosts
        self.samples = []        # (seconds, where, {owner: count})
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        sessions = {p: session("user%d:project%d" % (p, p))
                    for p in range(PROJECTS)}
        for turn in itertools.count():
            if self.done.is_set():
                return
            now = self.record.now()
            self.samples.append((now, "db servers", self.usage.servers()))
            self.samples.append((now, "db key pairs",
                                 self.usage.keypairs()))
            living = [name for name, process in self.hosts.items()
                      if process.proc.poll() is None]
            name = living[turn % len(living)]
            counts = {}
            for project, http in sessions.items():
                answer = self.record.call(
                    http, "sample", "GET", topology.base_url(
                        self.hosts[name]) + "/v2.1/servers", host=name)
                if answer.status != 200:
                    break  # its database is away: sample the next host
                counts["project%d" % project] = len(answer.body["servers"])
            self.samples.append((now, "api servers on " + name, counts))
            self.done.wait(0.3)

    def stop(self):
        self.done.set()
        self.thread.join(60)
        assert not self.thread.is_alive(), "sampler did not stop"


def _overlaps(answer, start, end):
    return start <= answer.end and answer.start <= end


def _disallowed_5xx(answers, events):
    """Answers that are errors the run must not have: any 5xx or no answer
    at all, except

    * nova's 503 with Retry-After from the host whose database was silent,
      for a request haproxy sent it before taking it out, or one the
      sampler sent it straight while its database was silent;
    * while every database refused and until haproxy had put the hosts
      back: nova's 503 with Retry-After, and haproxy's own 503 once it had
      taken every host out;
    * for a request the killed host was serving when it died, the
      balancer's 502 or no answer.
    """
    bad = []
    for answer in answers:
        if answer.status is not None and answer.status < 500:
            continue
        nova_503 = (answer.status == 503 and answer.from_minova
                    and answer.retry_after is not None)
        if nova_503 and answer.served_by == SILENCED and _overlaps(
                answer, events["silenced"],
                events["talks again"] if answer.kind == "sample"
                else events["silent host out"]):
            continue
        if _bystander(answer, events):
            continue  # reported apart: _bystanders
        if (nova_503 or answer.status == 503 and not answer.from_minova
                and answer.served_by == NO_SERVER) and _overlaps(
                    answer, events["outage"], events["back"]):
            continue
        killed_at = events["killed"]
        in_flight = answer.start <= killed_at + KILL_SLACK <= (
            answer.end + KILL_SLACK)
        if in_flight and answer.status is None:
            continue  # haproxy closes a kept-alive client connection
            # whose request the dead host held, for the client to retry
        if (in_flight and answer.status == 502 and not answer.from_minova
                and answer.served_by == KILLED):
            continue
        bad.append(str(answer))
    return bad


def _bystander(answer, events):
    """Whether ``answer`` is a 5xx from a host whose database answered,
    while the silent host's did not."""
    return (answer.status is not None and answer.status >= 500
            and answer.served_by not in (SILENCED, KILLED, NO_SERVER, None)
            and _overlaps(answer, events["silenced"], events["talks again"]))


def _silence(answers, events):
    """What the clients saw of the silent host's database: the balancer's
    answers from it between the silence and haproxy taking it out (each
    served, or nova's 503, within SILENT_503 seconds; _disallowed_5xx
    checks the statuses), and after (there must be none); the sampler's,
    sent to it straight, which must be as quick."""
    silenced, out = events["silenced"], events["silent host out"]
    around = [a for a in answers if a.kind != "sample"
              and a.served_by == SILENCED
              and _overlaps(a, silenced, events["talks again"])]
    felt = [a for a in around if a.start >= silenced]
    sampled = [a for a in answers if a.kind == "sample"
               and a.served_by == SILENCED
               and _overlaps(a, silenced, events["talks again"])]
    return {
        "detection": out - silenced,
        "last request it got": max((a.start for a in around), default=0.0)
        - silenced,
        "503s": sum(a.status == 503 for a in felt),
        "served": sum(a.status is not None and a.status < 500
                      for a in felt),
        "slowest 503": max((a.end - a.start for a in felt
                            if a.status == 503), default=0.0),
        "fastest 503": min((a.end - a.start for a in felt
                            if a.status == 503), default=0.0),
        "sampler's 503s": sum(a.status == 503 for a in sampled),
        "slower than %g s" % SILENT_503: [
            str(a) for a in felt + sampled
            if a.end - a.start > SILENT_503],
        "served after haproxy took it out": [str(a) for a in around
                                             if a.start > out],
    }


def _silent_hosts(record, events):
    """The clients' answers from the silent host to requests made since
    its database went silent."""
    return record.select(lambda a: a.kind != "sample"
                         and a.served_by == SILENCED
                         and a.start >= events["silenced"])


def _served_around(record, events):
    """The clients' answers from the other hosts to requests made since
    haproxy took the silent host out."""
    return record.select(lambda a: a.kind != "sample"
                         and a.status is not None
                         and a.served_by not in (SILENCED, NO_SERVER)
                         and a.start > events["silent host out"])


def _so_far(record, events):
    """What the clients have had since the silence, for a wait that timed
    out: the silent host's answers by status and how long the slowest
    took, how many the others served since haproxy took it out, and when
    the last answer of all came."""
    silenced = events["silenced"]
    mine = _silent_hosts(record, events)
    return {
        "now": record.now() - silenced,
        "detection": events["silent host out"] - silenced,
        "silent host's answers by status": dict(collections.Counter(
            a.status or a.error for a in mine)),
        "its slowest": max((a.end - a.start for a in mine), default=None),
        "served by the others since": len(_served_around(record, events)),
        "last answer": max((a.end for a in record.select(
            lambda a: a.kind != "sample")), default=0.0) - silenced,
    }


def _listing(process):
    """{server id: (project, status, task_state)} as host ``process``
    lists every project's servers."""
    http = session("admin:admin")
    response = http.get(topology.base_url(process) + "/v2.1/servers/detail",
                        params={"all_tenants": 1}, timeout=30)
    assert response.status_code == 200, response.text
    return {s["id"]: (s["tenant_id"], s["status"],
                      s["OS-EXT-STS:task_state"])
            for s in response.json()["servers"]}


def _timeline(record, hosts, relays, balancer, events):
    """The 17th thread: kill a host; silence another's database until
    haproxy has served around it for a while, then wait for the host to be
    served again; then every database refuses for a while. Each step waits
    for haproxy (its stats socket) within the bound the settings give, and
    ``events`` says when each happened (seconds on ``record``'s clock)."""

    def at(event):
        events[event] = record.now()

    def haproxy_says(status, *names):
        states = balancer.states()
        return all(states.get(name) == status for name in names)

    def served_around():
        """Enough requests served around the silent host, and one of
        those it got before haproxy took it out has met the silent
        database (503)."""
        return len(_served_around(record, events)) >= SERVED_AROUND and any(
            a.status == 503 for a in _silent_hosts(record, events))

    def served_again():
        return record.select(
            lambda a: a.kind != "sample" and a.served_by == SILENCED
            and a.start > events["silent host back"])

    living = [name for name in hosts if name != KILLED]
    wait_for(lambda: record.now() >= KILL_AT, KILL_AT + 1, "kill")
    at("killed")
    topology.kill(hosts[KILLED])
    wait_for(lambda: haproxy_says("DOWN", KILLED), KILL_DETECTION,
             "haproxy to take the killed host out")
    at("killed host out")

    at("silenced")  # before: a request it fails may end at once
    relays[SILENCED].silence()
    wait_for(lambda: haproxy_says("DOWN", SILENCED), DETECTION,
             "haproxy to take out the host whose database is silent")
    at("silent host out")
    try:
        wait_for(served_around, SILENT_503 + DETECTION,
                 "a 503 from the silent host and %d requests served by the"
                 " others" % SERVED_AROUND)
    except AssertionError as exc:
        raise AssertionError("%s; so far: %s" % (
            exc, pprint.pformat(_so_far(record, events)))) from None
    relays[SILENCED].restore()
    at("talks again")
    wait_for(lambda: haproxy_says("UP", SILENCED), REJOIN,
             "haproxy to put the host back once its database talks")
    at("silent host back")
    wait_for(served_again, 10, "a request served by it again")
    at("served again")

    at("outage")
    for relay in relays.values():
        relay.refuse()
    wait_for(lambda: record.now() >= events["outage"] + OUTAGE_SECONDS,
             OUTAGE_SECONDS + 1, "end of outage")
    for relay in relays.values():
        relay.restore()
    at("restored")
    wait_for(lambda: haproxy_says("UP", *living), REJOIN,
             "haproxy to put every living host back")
    at("back")


def test_three_hosts_behind_haproxy_survive_a_kill_and_outages(
        server_database, minova, tmp_path):
    # server_database first: it is dropped after the hosts have stopped.
    topology.haproxy()
    target = sa.engine.make_url(server_database)
    # one relay per host: one host's database can go away alone
    relays = {"host%d" % (index + 1): Relay(target.host, target.port)
              for index in range(len(topology.ADDRESSES))}
    usage = topology.Usage(server_database)
    balancer = None
    try:
        hosts = topology.start_hosts(
            minova, tmp_path, {name: relay.url(server_database)
                               for name, relay in relays.items()},
            sections=TOPOLOGY_SECTIONS)
        balancer = topology.Balancer(str(tmp_path), {
            name: process.addresses["osapi_compute"]
            for name, process in hosts.items()})
        balancer.wait_serving(hosts)
        work = Workload(balancer.base)
        sampler = Sampler(usage, work.record, hosts)
        events = {}

        def client(index, stop):
            work.client(index, lambda: stop() or (
                "end" in events and work.record.now() > events["end"]))

        def timeline(index, stop):
            try:
                _timeline(work.record, hosts, relays, balancer, events)
            finally:
                events["end"] = work.record.now() + AFTER

        run_threads(CLIENTS + 1, lambda index, stop: (
            timeline if index == CLIENTS else client)(index, stop),
            WORK_SECONDS)
        sampler.stop()
        living = {name: process for name, process in hosts.items()
                  if name != KILLED}
        assert all(p.proc.poll() is None for p in living.values())

        settled = {}

        def all_settled():
            settled.update({name: _listing(p) for name, p in living.items()})
            return all(status in SETTLED and task is None
                       for listing in settled.values()
                       for _, status, task in listing.values())
        try:
            wait_for(all_settled, SETTLE_SECONDS, "every server settled")
        except AssertionError:
            pass  # reported below, with what is not settled
        final_db = {"servers": usage.servers(), "key pairs":
                    usage.keypairs()}
        answers = work.record.select(lambda a: True)
        listing = settled["host1"]
        reserved = {r: usage.reservation(r) for r, _, _ in work.reservations}
        silence = _silence(answers, events)
        observed = {
            "disallowed 5xx or no answer": _disallowed_5xx(answers, events),
            "samples over quota": [
                (round(t, 1), where, counts)
                for t, where, counts in sampler.samples
                + [(work.record.now(), "db " + kind, counts)
                   for kind, counts in final_db.items()]
                if any(n > 10 for n in counts.values())],
            "listings that differ from host1's": [
                name for name, other in settled.items() if other != listing],
            "not settled": {sid: state for sid, state in listing.items()
                            if state[1] not in SETTLED or state[2]},
            "202'd servers missing": sorted(
                sid for sid in work.created
                if sid not in listing and sid not in work.deleted
                and sid not in work.unsure),
            "204'd servers still listed": sorted(
                sid for sid in work.deleted if sid in listing),
            "reservations out of min..max": [
                (r, low, high, len(rows))
                for (r, low, high) in work.reservations
                for rows in [reserved[r]]
                if not low <= len(rows) <= high],
            # the silent database, seen through the balancer
            "5xx from hosts whose database answered, while %s's was silent"
            % SILENCED: [str(a) for a in answers if _bystander(a, events)],
            "silent host's answers slower than %g s" % SILENT_503: silence[
                "slower than %g s" % SILENT_503],
            "served by the silent host after haproxy took it out": silence[
                "served after haproxy took it out"],
        }
        summary = _summary(answers, events, sampler)
        summary["silence"] = {key: (round(value, 2)
                                    if isinstance(value, float) else value)
                              for key, value in silence.items()
                              if not isinstance(value, list)}
        print("topology run:", pprint.pformat(summary, width=100))
        assert observed == {key: ([] if key != "not settled" else {})
                            for key in observed}, pprint.pformat(
                                [summary, observed], width=120)
        # the run did what it is for
        assert summary["created"] >= 10 and summary["deleted"] >= 5, summary
        assert summary["samples"] >= 10, summary
        # clients met the silent database before haproxy took the host out
        assert silence["503s"] >= 1, summary
    finally:
        if balancer is not None:
            balancer.stop()
        usage.dispose()
        # the hosts stop after this test's body (the minova fixture); the
        # relays go first so that they do not wait on them.
        for relay in relays.values():
            relay.stop()


def _summary(answers, events, sampler):
    """Counts that say what a run did, for the failure message."""
    statuses = collections.Counter(
        (a.kind, a.status or a.error) for a in answers)
    return {
        "events": {k: round(v, 1) for k, v in events.items()},
        "statuses": dict(sorted(statuses.items(), key=str)),
        "created": statuses[("create", 202)],
        "deleted": statuses[("delete", 204)],
        "samples": len(sampler.samples),
        "served by": dict(collections.Counter(a.served_by for a in answers
                                              if a.kind != "sample")),
    }
