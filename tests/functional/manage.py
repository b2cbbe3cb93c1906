"""Running ``minova-manage``, the installed console script, as an operator does."""

import os
import subprocess
import sys

MANAGE = os.path.join(os.path.dirname(sys.executable), "minova-manage")


def manage(config, *args):
    return subprocess.run([MANAGE, "--config-file", config] + list(args),
                          capture_output=True, text=True, timeout=120)
