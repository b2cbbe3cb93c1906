"""minova_tw.logs: the root handler installed once; LogFile, appended to, announcing rotations."""

import logging
import os

from minova_tw import logs


def test_writes_append_and_rotation_is_announced(tmp_path):
    path = str(tmp_path / "minova.log")
    log_file = logs.LogFile.fromFullPath(path)
    rotated = []
    log_file.onRotate.append(lambda: rotated.append(os.path.exists(
        path + ".1")))
    log_file.write("parent 1\n")
    # Another process's line, through its own descriptor (a worker's).
    with open(path, "a") as other:
        other.write("worker\n")
    log_file.write("parent 2\n")
    log_file.rotate()
    log_file.write("parent 3\n")
    log_file.close()
    with open(path + ".1") as f:
        assert f.read() == "parent 1\nworker\nparent 2\n"
    with open(path) as f:
        assert f.read() == "parent 3\n"
    assert rotated == [True]


def test_reopen_output_points_stdout_at_the_path(tmp_path):
    saved = os.dup(1), os.dup(2)
    try:
        logs.reopen_output(str(tmp_path / "new.log"))
        os.write(1, b"out\n")
        os.write(2, b"err\n")
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
    assert (tmp_path / "new.log").read_text() == "out\nerr\n"


def test_setup_installs_its_handler_once_and_leaves_a_projects_logging(
        monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(logs, "_handler", None)
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    logs.setup(debug=False)
    assert [type(h) for h in root.handlers] == [logs.TwistedLogHandler]
    logs.setup(debug=True)  # a reload: the levels follow, no second handler
    assert len(root.handlers) == 1 and root.level == logging.DEBUG
    # A hosted project's logging set-up (oslo.log's) replaces the handlers.
    project = logging.StreamHandler()
    root.handlers[:] = [project]
    root.setLevel(logging.WARNING)
    logs.setup(debug=True)
    assert root.handlers == [project] and root.level == logging.WARNING
