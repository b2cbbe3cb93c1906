"""The image stand-in: glance v2's image reads, for a noauth2 cloud.

The mini nova has no image service: any UUID is an image (a server's
``imageRef`` is stored as given). This app answers what clients ask glance
about such images, at ``/image``:

- ``GET /image``: the versions document (v2 only).
- ``GET /image/v2/images``: the catalogue, ``IMAGES``, filtered by ``name``
  and ``id`` (``id=in:a,b`` too, as the CLI's ``server list`` asks).
- ``GET /image/v2/images/<id>``: a catalogue image by its id, an image a
  server action made (``compute.images``: createImage, createBackup) by
  its id, and any other UUID as an image named after itself, so a server
  booted from any UUID shows its image as nova's own answers imply.

The images server actions made are listed after the catalogue, so the
CLI finds a new backup by its name. Everything else is 404. Nothing is
uploaded.
"""

import webob.dec

from minova_tw.api import standins, validation
from minova_tw.compute import api as compute

VERSION_ID = "v2.16"
#: The images ``GET /v2/images`` lists: a name for the UUID the README and
#: the tests boot from.
IMAGES = ({"id": "70a599e0-31e7-49b7-b260-868f441e862b", "name": "cirros"},)
#: What every image of the stand-in says besides its id and name.
IMAGE_DEFAULTS = {
    "status": "active", "visibility": "public", "protected": False,
    "disk_format": "qcow2", "container_format": "bare", "min_disk": 0,
    "min_ram": 0, "size": None, "virtual_size": None, "checksum": None,
    "owner": None, "tags": [], "created_at": "2024-01-01T00:00:00Z",
    "updated_at": "2024-01-01T00:00:00Z",
}


def image(image_id, name):
    """glance's image document."""
    return dict(IMAGE_DEFAULTS, id=image_id, name=name,
                self="/v2/images/" + image_id,
                file="/v2/images/%s/file" % image_id,
                schema="/v2/schemas/image")


def made(row):
    """glance's document of an image a server action made."""
    properties = {"image_type": row.image_type,
                  "instance_uuid": row.instance_uuid}
    if row.backup_type is not None:
        properties["backup_type"] = row.backup_type
    created = row.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return dict(image(row.uuid, row.name), owner=row.project_id,
                visibility="private", created_at=created,
                updated_at=created, **properties)


def _id_filter(value):
    """The ids a glance ``id`` filter names (``in:a,b`` or one id)."""
    return value[3:].split(",") if value.startswith("in:") else [value]


class ImageStandIn:
    """The WSGI app mounted at ``/image``, showing the images of the
    mini nova's database."""

    def __init__(self, conf):
        self.images = compute.API(conf).images

    def find(self, image_id):
        """The image with ``image_id``, or None when it is not a UUID."""
        for known in IMAGES:
            if known["id"] == image_id:
                return image(known["id"], known["name"])
        if not validation.is_uuid(image_id):
            return None
        row = self.images.find(image_id)
        return made(row) if row is not None else image(image_id, image_id)

    def listing(self, query):
        """The images of ``GET /v2/images`` for the query's ``name``/``id``."""
        if "id" in query:
            found = (self.find(i) for i in _id_filter(query["id"]))
            images = [i for i in found if i is not None]
        else:
            images = [image(known["id"], known["name"]) for known in IMAGES]
            images += [made(row) for row in self.images.list(
                name=query.get("name"))]
        if "name" in query:
            images = [i for i in images if i["name"] == query["name"]]
        return images

    @webob.dec.wsgify
    def __call__(self, req):
        path = req.path_info.rstrip("/")
        if req.method == "GET":
            if path in ("", "/versions"):
                return standins.json_response({"versions": [{
                    "id": VERSION_ID, "status": "CURRENT",
                    "links": [{"rel": "self",
                               "href": req.application_url + "/v2/"}]}]},
                    status=300)
            if path == "/v2/images":
                return standins.json_response({
                    "images": self.listing(req.GET),
                    "first": "/v2/images",
                    "schema": "/v2/schemas/images"})
            if path.startswith("/v2/images/"):
                found = self.find(path[len("/v2/images/"):])
                if found is not None:
                    return standins.json_response(found)
        return standins.error_response(
            404, "Not Found", "The image stand-in serves only GET of "
            "/v2/images and /v2/images/<id>.")


factory = standins.standin_factory(ImageStandIn, with_conf=True)
