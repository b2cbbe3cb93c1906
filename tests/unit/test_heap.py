"""heap.trim gives memory that was freed back to the OS (glibc's malloc_trim)."""

import json
import subprocess
import sys

import pytest

SCRIPT = """
import json
from minova_tw import heap

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

# 40 MB of blocks glibc's heap serves (not mmap), then free all but the
# last: it pins the heap's top, so free() itself cannot give the rest back.
blocks = [bytes(1000) + bytes([i % 256]) for i in range(40000)]
last = blocks.pop()
del blocks
before = rss_mb()
heap.trim()
print(json.dumps([before, rss_mb()]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="reads VmRSS from /proc; malloc_trim is glibc's")
def test_trim_returns_the_freed_heap():
    result = subprocess.run([sys.executable, "-c", SCRIPT],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    before, after = json.loads(result.stdout)
    assert before - after > 20, (before, after)
