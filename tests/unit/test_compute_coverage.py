"""docs/compute-coverage.md against the compute API's real router: the tables stay true.

A ``yes`` or ``410`` row must be routed to a method its controller has (410
rows to the removed-API controller), a ``no`` row must not be routed, every
route minova serves must have a row, and the counts the page states must be
its rows' counts. Server actions likewise against the servers controller's
action keys.
"""

import os
import re

import pytest

from minova_tw import conf as minova_conf
from minova_tw.api.openstack import wsgi
from minova_tw.api.openstack.compute import removed, routes, servers

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs",
                   "compute-coverage.md")
ROW = re.compile(r"^\| `([^`]*)` \|(?: (GET|POST|PUT|DELETE) \|)?"
                 r" (yes|410|no) \|(.*)\|$")
STATES = ("yes", "410", "no")


def _sections():
    """{heading: [(path or action, method or None, state, why)]} and the
    page's text."""
    with open(DOC) as f:
        text = f.read()
    sections, heading = {}, None
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:]
            sections[heading] = []
        match = ROW.match(line)
        if match:
            sections[heading].append(match.groups())
    return sections, text


SECTIONS, TEXT = _sections()
ROUTE_ROWS = SECTIONS["Routes"]
ACTION_ROWS = SECTIONS["Server actions (POST /servers/{id}/action)"]
#: Body keys of POST /servers/{id}/action: the servers controller's and
#: those of the controllers that share its action route.
SERVER_ACTIONS = set().union(*(
    wsgi.action_keys(controller) for controller in (
        servers.ServersController,
        *routes.ACTION_CONTROLLERS.get(servers.ServersController, ()))))
#: Fills ``{name}`` placeholders: a value no route pattern treats as a
#: fixed path segment.
SAMPLE_ID = "0f0e"


@pytest.fixture(scope="module")
def router(tmp_path_factory):
    path = tmp_path_factory.mktemp("coverage") / "api.conf"
    path.write_text("[DEFAULT]\nstate_path = %s\n" % path.parent)
    return routes.APIRouterV21(minova_conf.load([str(path)]))


def _route(router, path, method):
    """(controller, method name) the router sends ``method path`` to, or
    None."""
    url = re.sub(r"\{[^}]+\}", SAMPLE_ID, path)
    found = router.map.routematch(url, environ={"REQUEST_METHOD": method,
                                                "PATH_INFO": url})
    if found is None:
        return None
    match, _ = found
    return match["controller"].controller, match["action"]


@pytest.mark.parametrize("path, method, state, why", ROUTE_ROWS,
                         ids=["%s %s" % row[1::-1] for row in ROUTE_ROWS])
def test_each_route_row_is_true(router, path, method, state, why):
    target = _route(router, path, method)
    if state == "no":
        assert target is None, "%s %s is served: mark it yes" % (method, path)
        assert why.strip(), "a route not served says why"
        return
    assert target is not None, "%s %s is not served" % (method, path)
    controller, name = target
    methods, actions = wsgi.methods_of(type(controller))
    # "action" routes dispatch on the body's key to the action table.
    assert actions if name == "action" else name in methods
    assert isinstance(controller, removed.RemovedController) == (
        state == "410")


def test_every_served_route_has_a_row():
    rows = {(path, method) for path, method, _, _ in ROUTE_ROWS}
    served = {(path, method) for path, methods in routes.ROUTE_LIST
              for method in methods}
    assert served - rows == set()


@pytest.mark.parametrize("action, _, state, why", ACTION_ROWS,
                         ids=[row[0] for row in ACTION_ROWS])
def test_each_server_action_row_is_true(action, _, state, why):
    assert (action in SERVER_ACTIONS) == (state != "no"), action
    if state == "no":
        assert why.strip(), "an action not served says why"


def test_every_server_action_has_a_row():
    rows = {action for action, _, _, _ in ACTION_ROWS}
    assert SERVER_ACTIONS - rows == set()


def _counts(rows):
    return [sum(row[2] == state for row in rows) for state in STATES]


def test_the_stated_counts_are_the_rows_counts():
    yes, gone, no = _counts(ROUTE_ROWS)
    assert ("Served: %d of nova's %d route and method pairs; %d more answer "
            "410 Gone; %d are not served." % (yes, len(ROUTE_ROWS), gone, no)
            in TEXT)
    yes, gone, no = _counts(ACTION_ROWS)
    assert ("Served: %d of nova's %d server actions; resetNetwork answers "
            "410 Gone as in nova; %d are not served" % (yes, len(ACTION_ROWS),
                                                         no) in TEXT)
    assert gone == 1
