"""Apache httpd with mod_wsgi in daemon mode, one process per request (how Kolla ships nova-api).

Each host gets its own ServerRoot in the bench work dir: an ``httpd.conf``
with ``WSGIDaemonProcess ... processes=N threads=1``, ``Listen`` on
127.0.0.1, its logs and pid file, run by ``apache2 -f httpd.conf
-DFOREGROUND`` and stopped by its PID like every other host. Apache and
mod_wsgi are Debian's (``apache2``, ``libapache2-mod-wsgi-py3``); the rest
of the configuration is Apache's defaults (the event MPM, keep-alive on),
with an access log as Kolla writes one.

Which Python: Debian's mod_wsgi is linked against Debian's libpython3.11
(3.11.2), so that is the interpreter in every daemon process, whatever venv
the stack was installed into (pyenv's 3.11.7 here). Its standard library
must be Debian's too. With ``python-home`` at the project's venv, Python's
start-up follows the venv's ``home`` to pyenv's stdlib and compiled
modules (another patch release than the interpreter) when it can read
them, as root can; www-data cannot enter /root, so there it falls back to
Debian's stdlib: that set-up works only by that accident (both seen with
Debian's python3.11 and the venv's pyvenv.cfg). The packages, on
the other hand, are pure Python or wheels built for the 3.11 ABI, which
every 3.11.x shares (a Debian whose Python is another minor version than
the venv's could not share them this way). So ``python-home`` is a small
venv made by Debian's ``python3 -m venv --without-pip`` in the host's
directory: Debian's interpreter and stdlib, and none of Debian's own
dist-packages (an older cryptography and PyYAML among them, which could
shadow the venv's). One ``.pth`` file in it adds the stack's venv as a
site directory (so that venv's own ``.pth`` files, the editable minova
among them, are read) and the checkout.

mod_wsgi will not run a daemon process as root, so the daemons (and
Apache's children) run as ``www-data``, and the bench work dir is handed to
that user before Apache starts (``share_workdir``): the daemons read the
config files there and write the SQLite databases the other hosts share.
The other hosts run as root and keep their access; SQLite gives the WAL
files a root process creates the database file's owner.
"""

import os
import pwd
import shutil
import subprocess
import sysconfig

PROGRAM = "/usr/sbin/apache2"
MODULES = "/usr/lib/apache2/modules"
SYSTEM_PYTHON = "/usr/bin/python3"
USER = "www-data"
#: The daemon processes' name in ps and /proc/<pid>/cmdline: how the bench
#: tells them from Apache's own children (bench.hosts.RunningHost.workers).
DISPLAY_NAME = "(wsgi:bench)"


def program():
    """apache2 when it, mod_wsgi, Debian's Python and the daemon user are
    all there; else None."""
    needed = (PROGRAM, os.path.join(MODULES, "mod_wsgi.so"), SYSTEM_PYTHON)
    if not all(os.path.exists(path) for path in needed):
        return None
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return None
    return PROGRAM


def site_packages(venv):
    """The site-packages directory of the venv at ``venv``."""
    return sysconfig.get_path("purelib", "venv",
                              vars={"base": venv, "platbase": venv})


def python_home(directory, venv, root=None):
    """A venv of Debian's Python in ``directory`` that imports from ``venv``
    and, if given, ``root`` (the checkout); its path, for ``python-home``."""
    home = os.path.join(directory, "python-home")
    if not os.path.isdir(home):
        subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", home],
                       check=True, capture_output=True)
    own = subprocess.run(
        [os.path.join(home, "bin", "python"), "-c",
         "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True, capture_output=True, text=True).stdout.strip()
    with open(os.path.join(own, "bench-stack.pth"), "w") as f:
        f.write("import site; site.addsitedir(%r)\n" % site_packages(venv))
        if root:
            f.write(root + "\n")
    return home


def write_script(directory, entry_point):
    """A WSGI script file (what ``WSGIScriptAlias`` loads) exposing
    ``package.module:callable`` as ``application``; its path."""
    module, _, name = entry_point.partition(":")
    path = os.path.join(directory, "app.wsgi")
    with open(path, "w") as f:
        f.write("from %s import %s as application\n" % (module, name))
    return path


def write_config(directory, port, procs, script, home, access_log=True):
    """``directory``/httpd.conf serving ``script`` on 127.0.0.1:``port``
    from ``procs`` single-threaded daemon processes; its path."""
    lines = [
        "ServerRoot %s" % directory,
        "ServerName 127.0.0.1",
        "Listen 127.0.0.1:%d" % port,
        "User %s" % USER,
        "Group %s" % USER,
        "PidFile %s" % os.path.join(directory, "httpd.pid"),
        "ErrorLog %s" % os.path.join(directory, "error.log"),
        # The daemons' sockets, which Apache's children connect to.
        "WSGISocketPrefix %s" % os.path.join(directory, "wsgi"),
    ]
    lines += ["LoadModule %s_module %s" % (name, os.path.join(
        MODULES, "mod_%s.so" % name))
        for name in ("mpm_event", "authz_core", "wsgi")]
    if access_log:
        lines += ['LogFormat "%h %l %u %t \\"%r\\" %>s %b %D" timed',
                  "CustomLog %s timed" % os.path.join(directory,
                                                      "access.log")]
    lines += [
        "WSGIRestrictEmbedded On",
        "WSGIDaemonProcess bench processes=%d threads=1 user=%s group=%s "
        "python-home=%s display-name=%s" % (procs, USER, USER, home,
                                            DISPLAY_NAME),
        "WSGIProcessGroup bench",
        "WSGIApplicationGroup %{GLOBAL}",
        "WSGIPassAuthorization On",
        "WSGIScriptAlias / %s" % script,
        "<Directory %s>" % os.path.dirname(script),
        "    Require all granted",
        "</Directory>",
    ]
    path = os.path.join(directory, "httpd.conf")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def share_workdir(workdir):
    """Hand ``workdir`` and everything in it to the daemons' user."""
    os.chmod(workdir, 0o755)
    for parent, _, files in os.walk(workdir):
        for name in [parent, *(os.path.join(parent, f) for f in files)]:
            if not os.path.islink(name):
                shutil.chown(name, USER, USER)
