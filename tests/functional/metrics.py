"""Reading the [metrics] Prometheus listener of a running minova."""

import re

import requests
from prometheus_client.parser import text_string_to_metric_families


def scrape(server):
    host, port = re.search(r"metrics listening on ([\d.]+):(\d+)",
                           server.log).groups()
    response = requests.get("http://%s:%s/metrics" % (host, port),
                            timeout=10)
    response.raise_for_status()
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            key = (sample.name,) + tuple(sorted(sample.labels.items()))
            samples[key] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name,) + tuple(sorted(labels.items())), 0.0)
