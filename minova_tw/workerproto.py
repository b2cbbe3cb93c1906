"""What a worker process and its parent agree on: fds, control lines, exit status.

minova_tw.spawner (the parent) starts ``python -m minova_tw.worker`` with
its listening socket on ``LISTEN_FD`` and a pipe to read on
``CONTROL_FD``; the worker writes one line per message there (``READY``,
``RECYCLE``) and exits with ``BOOT_ERROR`` when it cannot start. Both
sides import these from here, so that a worker never imports the
parent's side.
"""

#: The fds a worker finds its listening socket and its control pipe on.
LISTEN_FD = 3
CONTROL_FD = 4

#: The worker listens and serves.
READY = "ready"
#: The worker served ``[wsgi] worker_max_requests``: replace it.
RECYCLE = "recycle"

#: Exit status of a worker that could not start (configuration, paste app).
BOOT_ERROR = 3
