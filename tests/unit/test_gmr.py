"""minova_tw.gmr: the report's sections, masking, and where it is written."""

import os

from twisted.internet.task import Clock

from minova_tw import conf, gmr


class Pool:
    """What the report reads of a WorkerPool."""

    name = "osapi_compute"

    def table(self):
        return [{"api": "osapi_compute", "slot": 0, "pid": 4242,
                 "state": "ready", "started": "2026-01-01 00:00:00",
                 "restarts": 3}]


def load(tmp_path, text=""):
    path = tmp_path / "api.conf"
    path.write_text("[neutron]\nmetadata_proxy_shared_secret = hunter2\n"
                    "[database]\nconnection = postgresql://u:pw1@db/minova\n"
                    + text)
    return conf.load([str(path)])


def test_the_report_has_every_section_and_masks_secrets(tmp_path):
    clock = Clock()
    clock.advance(100)
    clock.callLater(7.5, load, None)
    text = gmr.report("test", load(tmp_path), [Pool()], clock)
    assert text.index("==== Package") < text.index("==== Workers") < \
        text.index("==== Connections") < text.index("==== Delayed calls") < \
        text.index("==== Threads") < text.index("==== Configuration")
    assert "process: test, pid %d" % os.getpid() in text
    assert "osapi_compute  0     4242  ready  2026-01-01 00:00:00  3" in text
    assert "in    7.500 s: load" in text
    assert "in test_the_report_has_every_section_and_masks_secrets" in text
    assert "database.connection            = ****" in text
    assert "hunter2" not in text and "pw1" not in text


def test_write_goes_to_report_dir_relative_to_the_config(tmp_path):
    path = gmr.write("test", load(tmp_path, "[guru_meditation]\n"
                                  "report_dir = reports\n"), [], Clock())
    assert os.path.dirname(path) == str(tmp_path / "reports")
    with open(path) as f:
        assert "Guru Meditation Report of pid %d (test)" % os.getpid() \
            in f.read()


def test_without_report_dir_the_report_is_logged(tmp_path, monkeypatch):
    logged = []
    monkeypatch.setattr(gmr.log, "info",
                        lambda fmt, **kw: logged.append(kw))
    assert gmr.write("test", load(tmp_path), [], Clock()) is None
    assert "==== Threads" in logged[0]["report"]
