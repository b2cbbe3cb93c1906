"""cloud-init's OpenStack metadata reader against a metadata URL; prints JSON.

Run with the hosting venv's python: ``python cloudinit_reader.py URL``.
cloud-init is not on PyPI; install.sh unpacks Debian's package into the
venv. Without it this prints ``{"missing": reason}`` for the test to skip on.
"""

import json
import sys


def main(url):
    try:
        from cloudinit.sources.helpers import openstack
    except ImportError as exc:
        print(json.dumps({"missing": "cloud-init is not importable in the "
                          "hosting venv (%s)" % exc}))
        return
    data = openstack.MetadataReader(url, timeout=10, retries=0).read_v2()
    # Only what the test compares: some documents come back as bytes.
    metadata = data["metadata"]
    print(json.dumps({"keys": sorted(data), "uuid": metadata["uuid"],
                      "meta": metadata.get("meta"),
                      "hostname": metadata.get("hostname")}))


if __name__ == "__main__":
    main(sys.argv[1])
