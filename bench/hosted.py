"""Real nova 34 for the ``nova`` stack: its venv, its config and databases, its entry module on each host.

The stack is nova's own ``nova.wsgi.osapi_compute:application``, as an
operator deploys it, not a paste file: minova imports it through
``<api>_wsgi_app``, uWSGI through ``--module``, gunicorn through
``wsgi_app`` in a ``gunicorn.conf.py`` in its working directory, granian
as its app argument, Apache's mod_wsgi from a script file that imports it
(bench.apache). gunicorn and granian leave their own command line in
``sys.argv`` and nova's import parses it (``nova-api-os-compute: error:
unrecognized arguments: -b ...``), so gunicorn gets no arguments at all,
and granian's command line goes to its CLI function in a ``python -c``
(whose ``sys.argv`` is just ``-c``). Every host runs from the hosting venv
(tests/hosting/install.sh; bench/run.sh adds the bench extra's hosts to
it), Apache through a Debian Python venv that imports from it, with the
environment nova's entry module reads.

nova is set up as the hosting tests set it up (tests.hosting.services.nova:
nova-manage's four databases, a glance/neutron stand-in, and nova's shipped
api-paste.ini with tests.hosting.tokenauth in place of keystonemiddleware,
so matrix.NOVA_ADMIN's token is an administrator with no keystone to ask).
"""

import os

from bench import apache
from bench.hosts import PROGRAMS, granian_args, write_ini
from tests.hosting import services

class Nova:
    """nova's config directory and databases under ``workdir``, and the
    stand-in it calls; ``missing`` says why there are none."""

    def __init__(self, workdir):
        self.env = None
        self.missing = services.venv_missing()[1]
        self._standin = None
        if self.missing:
            return
        self._standin = services.StandIn().start()
        try:
            service = services.nova(workdir, self._standin)
        except (AssertionError, OSError) as exc:
            self.stop()
            self.missing = "nova set-up failed: %s" % str(exc).splitlines()[0]
            return
        # The hosting venv's interpreter must not see this one's path.
        self.env = services.clean_env(**service.env)

    def stop(self):
        if self._standin is not None:
            self._standin.stop()
            self._standin = None

    @staticmethod
    def executable(kind):
        """The hosting venv's program for a host ``kind``, or None; its
        Python for granian, whose CLI command() calls with ``-c``."""
        path, missing = services.venv_missing()
        found = os.path.join(path, "bin", PROGRAMS[kind])
        if missing or not os.access(found, os.X_OK):
            return None
        return os.path.join(path, "bin", "python") if kind == "granian" \
            else found

    @staticmethod
    def command(kind, stack, port, procs, directory):
        """(arguments after the program, working directory) for a host of
        ``kind`` serving ``stack``'s entry point; ``directory`` is the host's
        own, for its config files."""
        api, entry = stack.api, stack.entry_point
        if kind == "minova":
            config = write_ini(os.path.join(directory, "minova.conf"), {
                "DEFAULT": {"enabled_apis": api,
                            "%s_listen" % api: "127.0.0.1",
                            "%s_listen_port" % api: port,
                            "%s_workers" % api: procs,
                            "%s_wsgi_app" % api: entry,
                            # nova logs each request itself (its
                            # request_log), as on the other hosts, which
                            # add no line of their own: docs/hosting.md.
                            "%s_access_log" % api: "false"}})
            return ["-n", "--pidfile=", "minova", "--config", config], None
        if kind == "uwsgi":
            return ["--http11-socket", "127.0.0.1:%d" % port, "--master",
                    "--processes", str(procs), "--threads", "4", "--lazy-apps",
                    "--disable-logging", "--die-on-term", "--need-app",
                    "--module", entry], None
        if kind == "granian":
            args = granian_args(port, procs, entry, access_log=False)
            return ["-c", "from granian.cli import cli; "
                    "cli(%r, prog_name='granian')" % args], None
        if kind == "apache":
            home = apache.python_home(directory, services.venv_missing()[0])
            return ["-f", apache.write_config(
                directory, port, procs, apache.write_script(directory, entry),
                home, access_log=False), "-DFOREGROUND"], None
        settings = {"wsgi_app": entry, "bind": "127.0.0.1:%d" % port,
                    "workers": procs,
                    "worker_class": "sync" if kind == "gunicorn-sync"
                    else "gthread"}
        if kind == "gunicorn-gthread":
            settings["threads"] = 4
        with open(os.path.join(directory, "gunicorn.conf.py"), "w") as f:
            f.writelines("%s = %r\n" % item for item in settings.items())
        return [], directory
