"""THROWAWAY measurement (not committed): the issue's 320-create burst."""
import collections, re, time
from tests.functional import topology
from tests.functional.test_compute_persistence import server_database  # noqa
from tests.functional.workload import Record, run_threads, server_body, session

def test_burst(server_database, minova, tmp_path):
    sections = {"quota": {"instances": -1, "cores": -1, "ram": -1},
                "minova": {"build_time": 0.5, "action_time": 0.3,
                           "fixed_range": "10.0.0.0/22"}}
    hosts = topology.start_hosts(minova, tmp_path, server_database, sections=sections)
    urls = [topology.base_url(p) for p in hosts.values()]
    record = Record()
    def client(index, stop):
        http = session("burst%d:burst%d" % (index % 4, index % 4))
        url = urls[index % len(urls)]
        for n in range(20):
            record.call(http, "create", "POST", url + "/v2.1/servers", server_body("b%d-%d" % (index, n)))
    t = time.monotonic()
    run_threads(16, client, 120)
    took = time.monotonic() - t
    answers = record.select(lambda a: True)
    lat = sorted(a.end - a.start for a in answers)
    statuses = collections.Counter(a.status or a.error for a in answers)
    logs = "".join(p.log() for p in hosts.values())
    print("\nBURST", server_database.split(":")[0], dict(statuses), "took %.1fs" % took,
          "p50 %.3f p99 %.3f max %.3f" % (lat[len(lat)//2], lat[int(len(lat)*0.99)], lat[-1]),
          "deadlock lines", len(re.findall("(?i)deadlock", logs)),
          "duplicate", len(re.findall("(?i)duplicate", logs)))
