"""bench's logic with no load: which shapes each mode runs, and the floors table."""

from bench import matrix, report


def _endpoint(stack_name, label):
    stack = next(s for s in matrix.STACKS if s.name == stack_name)
    return stack, next(e for e in stack.endpoints if e.label == label)


def _labels(mode, stack_name, label):
    stack, endpoint = _endpoint(stack_name, label)
    return [s.label for s in matrix.shapes(matrix.MODES[mode], stack,
                                           endpoint)]


def test_full_runs_every_shape_on_the_reference_stack_only():
    assert _labels("full", "reference", "GET /") == [
        "c1 keep-alive", "c8 keep-alive", "c64 keep-alive", "c256 keep-alive",
        "c1 close", "c64 close", "c256 close"]
    assert _labels("full", "compute", "GET /v2.1/flavors/detail") == [
        "c64 keep-alive"]
    assert _labels("full", "compute", "GET /v2.1/servers/detail (100)") == [
        "c8 keep-alive"]


def test_every_runs_every_shape_up_to_an_endpoints_connections():
    assert _labels("every", "metadata",
                   "GET /openstack/latest/meta_data.json") == _labels(
                       "full", "reference", "GET /")
    assert _labels("every", "compute", "GET /v2.1/servers/detail (100)") == [
        "c1 keep-alive", "c8 keep-alive", "c1 close"]


def _row(host, rps, cpu, kernel):
    return {"stack": "reference", "endpoint": "GET /", "host": host,
            "connections": 64, "keep_alive": True, "rps": rps,
            "cpu_us_per_request": cpu, "sys_us_per_request": kernel,
            "rss_worker_mb": 40.0}


FLOOR = {"app_cpu_us": 100.0,
         "rss_mb": [["python and the reference app", 30.0],
                    ["Twisted's core (protocol, Deferred, logger)", 35.0],
                    ["minova's config and the epoll reactor",
                     39.0],
                    ["minova's host modules (a worker at start-up)", 43.0]]}


def test_floors_say_what_each_target_needs():
    measured = [_row("minova-p1", 6000, 150, 20),
                _row("minova-inline-p1", 6500, 140, 18),
                _row("uwsgi-p1", 5000, 170, 40),
                _row("gunicorn-sync-p1", 4000, 240, 60),
                _row("minova-p2", 12000, 130, 15),
                _row("minova-inline-p2", 11000, 140, 20),
                _row("uwsgi-p2", 12000, 120, 25)]
    text = "\n".join(report._floors(measured, FLOOR))
    assert "costs **100 µs** of CPU per request" in text
    # 6000 req/s at 150 µs is 0.9 cores; 1.0x uWSGI (5000) needs 180 µs.
    assert ("| reference, 1p: 1.0x uWSGI | 5000 | 180 | 80 µs | 50 µs "
            "| 20 µs |") in text
    # 2.0x gunicorn sync (8000 req/s) at 0.9 cores: 112 µs, 12 left.
    assert ("| reference, 1p: 2.0x gunicorn sync | 8000 | 112 | 12 µs "
            "| 50 µs | 20 µs |") in text
    # 1.2x uWSGI at 2p is 14400 req/s; at 1.54 cores that is 107 µs.
    assert "| reference, 2p, inline: 1.2x uWSGI | 14400 | 107 | 7 µs |" in text
    # No gunicorn row at 2p: it was not measured.
    assert "2p: 2.0x gunicorn sync" not in text
    assert "| Twisted's core (protocol, Deferred, logger) | 35.0 | +5.0 |" \
        in text
    assert "| uWSGI's worker in this run, under load | 40.0 | |" in text
    assert "9.0 MB over the app here" in text


def test_a_target_below_the_app_alone_says_so():
    measured = [_row("minova-inline-p2", 10000, 150, 20),
                _row("uwsgi-p2", 20000, 100, 20)]
    text = "\n".join(report._floors(measured, FLOOR))
    # 1.2x uWSGI = 24000 req/s at 1.5 cores: 62 µs, under the app's 100.
    assert ("| reference, 2p, inline: 1.2x uWSGI | 24000 | 62 | none: less "
            "than the app alone |") in text


def test_floors_that_failed_say_why_and_none_without_the_reference_stack():
    assert report._floors([], None) == []
    text = "\n".join(report._floors([], {"error": "bench.floor exited"}))
    assert "Not measured: bench.floor exited" in text
