"""twistd plugin: ``twistd minova`` runs minova_tw.tap.makeService."""

from twisted.application.service import ServiceMaker

minova = ServiceMaker(
    "minova", "minova_tw.tap",
    "Serve nova's API stacks (osapi_compute, metadata) from api-paste.ini",
    "minova")
