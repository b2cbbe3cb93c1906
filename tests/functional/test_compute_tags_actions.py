"""Server tags and instance actions against a real minova, through the ``openstack`` CLI and openstacksdk.

The CLI commands run in one ``openstack`` process (its interactive mode,
reading them from stdin), since each process costs about two seconds. The
reboot goes over plain HTTP, so that the test knows the request id the
response carried and finds its action under it.
"""

import pytest

from tests.functional.compute import IMAGE, cli_session

openstack = pytest.importorskip("openstack")


def test_tags_and_events_through_the_cli_and_sdk(compute):
    auth = {"auth_url": compute.base + "/identity", "token": "demo:demo"}
    conn = openstack.connect(auth_type="token", auth=auth)
    server = conn.compute.create_server(name="vm", flavor_id="1",
                                        image_id=IMAGE, networks="auto")
    server = conn.compute.wait_for_server(server, wait=30)

    at_2_26 = openstack.connect(auth_type="token", auth=auth,
                                compute_api_version="2.26").compute
    server.add_tag(at_2_26, "sdk")
    assert server.fetch_tags(at_2_26).tags == ["sdk"]
    server.set_tags(at_2_26, ["x", "y"])
    assert server.fetch_tags(at_2_26).tags == ["x", "y"]

    reboot = compute("demo:demo").action(server.id,
                                         {"reboot": {"type": "SOFT"}})
    assert reboot.status_code == 202, reboot.text
    request_id = reboot.headers["x-openstack-request-id"]
    compute("demo:demo").wait_task_done(server.id)

    shown, unset, events, event = cli_session(
        compute.base, "demo:demo",
        "server set --tag a --tag b vm",
        "server show vm -f json -c tags",
        "server unset --tag a vm",
        "server show vm -f json -c tags",
        "server event list vm -f json",
        "server event show vm %s -f json" % request_id, version="2.62")
    assert sorted(shown["tags"]) == ["a", "b", "x", "y"]
    assert sorted(unset["tags"]) == ["b", "x", "y"]
    assert [(e["Action"], e["Request ID"]) for e in events][:1] == [
        ("reboot", request_id)]
    assert [e["Action"] for e in events] == ["reboot", "create"]
    assert event["action"] == "reboot"
    assert [(e["event"], e["result"]) for e in event["events"]] == [
        ("compute_reboot_instance", "Success")]

    actions = list(conn.compute.server_actions(server))
    assert [(a.action, a.request_id) for a in actions][0] == (
        "reboot", request_id)
    create = conn.compute.get_server_action(actions[-1].request_id, server)
    assert create.action == "create"
    assert sorted(e.event for e in create.events) == [
        "compute__do_build_and_run_instance",
        "conductor_schedule_and_build_instances"]
    assert {e.result for e in create.events} == {"Success"}
