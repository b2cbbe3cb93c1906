"""Give the memory that start-up freed back to the operating system.

Loading the configuration and the paste apps allocates and frees megabytes
of temporaries. glibc keeps freed heap memory for reuse, so without a trim
every process carries it in its RSS for its whole life (about 1.3 MB of a
worker serving bench/'s reference stack). ``trim`` runs once, when a
process has loaded what it serves and before it serves anything.
"""

import ctypes
import gc


def trim():
    """Collect garbage, then ask glibc's malloc_trim to return free pages.

    A no-op where the C library has no malloc_trim (musl, macOS).
    """
    gc.collect()
    try:
        malloc_trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    malloc_trim(0)
