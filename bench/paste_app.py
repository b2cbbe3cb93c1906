"""A module-level WSGI ``application`` for hosts that import one (``twistd web --wsgi``).

Which stack: the paste file in ``BENCH_PASTE_FILE`` and the app name in
``BENCH_PASTE_APP``, the same pair the other hosts get through ``--paste``.
"""

import os

from paste.deploy import loadapp

application = loadapp("config:" + os.environ["BENCH_PASTE_FILE"],
                      name=os.environ["BENCH_PASTE_APP"])
