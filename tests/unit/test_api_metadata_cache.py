"""minova_tw.api.metadata.cache: expiry, 0 disables it, discard by server, bounded size."""

from minova_tw.api.metadata import cache


class Clock:
    now = 100.0

    def __call__(self):
        return self.now


class Entry:
    def __init__(self, uuid):
        self.uuid = uuid


def test_entries_expire():
    clock = Clock()
    c = cache.MetadataCache(15, clock=clock)
    entry = Entry("a")
    c.set("metadata-10.0.0.2", entry)
    clock.now += 14.9
    assert c.get("metadata-10.0.0.2") is entry
    clock.now += 0.1
    assert c.get("metadata-10.0.0.2") is None


def test_expiration_0_keeps_nothing():
    c = cache.MetadataCache(0)
    c.set("k", Entry("a"))
    assert c.get("k") is None


def test_discard_drops_every_key_of_a_server():
    c = cache.MetadataCache(15)
    a, b = Entry("a"), Entry("b")
    c.set("metadata-10.0.0.2", a)
    c.set("metadata-a", a)
    c.set("metadata-b", b)
    c.discard("a")
    assert (c.get("metadata-10.0.0.2"), c.get("metadata-a"),
            c.get("metadata-b")) == (None, None, b)


def test_size_is_bounded():
    clock = Clock()
    c = cache.MetadataCache(15, clock=clock, max_entries=3)
    for key in "abc":
        c.set(key, Entry(key))
    clock.now += 20
    c.set("d", Entry("d"))  # purges the expired three
    assert len(c._entries) == 1
    for key in "efg":
        c.set(key, Entry(key))  # full of live entries: starts over
    assert len(c._entries) <= 3
    assert c.get("g").uuid == "g"
