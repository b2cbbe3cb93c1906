"""The compute layer's one entry point: ``API(conf)``, what the WSGI stacks call.

One object per process and configuration; its parts share the database and
the clock (injectable for tests)::

    compute = API(conf)
    compute.servers.list(context, filters={"status": "ACTIVE"})
    compute.server_actions.reboot(context, server_id, "HARD")
    compute.metadata.get_by_address("10.0.0.3")

``context`` is a ``minova_tw.context.RequestContext``: who calls
(``user_id``, ``project_id``, ``is_admin``), ``request_id`` (what instance
actions are recorded under) and ``can``, the policy check each operation
makes with nova's rule names.
"""

from minova_tw.compute import (actions, aggregates, availability_zones,
                               consoles, flavors, hypervisors, images,
                               instance_actions, interfaces, keypairs,
                               metadata, migrations, quota_sets, quotas,
                               security_groups, server_groups,
                               server_password, server_security_groups,
                               server_tags, servers,
                               services, usage, volume_attachments)
from minova_tw.db import engine as db_engine


class API:

    def __init__(self, conf, clock=None):
        database = db_engine.get_database(conf)
        parts = dict(conf=conf, database=database, clock=clock)
        self.conf = conf
        self.flavors = flavors.FlavorAPI(**parts)
        self.servers = servers.ServerAPI(**parts)
        self.server_actions = actions.ServerActionAPI(**parts)
        self.server_tags = server_tags.ServerTagAPI(**parts)
        self.instance_actions = instance_actions.InstanceActionAPI(**parts)
        self.interfaces = interfaces.InterfaceAPI(**parts)
        self.volume_attachments = volume_attachments.VolumeAttachmentAPI(
            **parts)
        self.keypairs = keypairs.KeypairAPI(**parts)
        self.quotas = quotas.QuotaAPI(**parts)
        self.quota_sets = quota_sets.QuotaSetAPI(**parts)
        self.availability_zones = availability_zones.AvailabilityZoneAPI(
            **parts)
        self.metadata = metadata.MetadataAPI(**parts)
        self.consoles = consoles.ConsoleAPI(**parts)
        self.usage = usage.UsageAPI(**parts)
        self.server_groups = server_groups.ServerGroupAPI(**parts)
        self.migrations = migrations.MigrationAPI(**parts)
        self.services = services.ServiceAPI(**parts)
        self.hypervisors = hypervisors.HypervisorAPI(**parts)
        self.aggregates = aggregates.AggregateAPI(**parts)
        self.security_groups = security_groups.SecurityGroupAPI(**parts)
        self.server_security_groups = (
            server_security_groups.ServerSecurityGroupAPI(**parts))
        self.server_password = server_password.ServerPasswordAPI(**parts)
        self.images = images.ImageAPI(**parts)
