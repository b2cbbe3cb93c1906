"""os-server-password: what the guest posted to the metadata service, read back or cleared.

The value is the guest's encrypted password as ``compute.metadata`` keeps
it (system metadata ``password_0`` .. ``password_3``). Clearing it only
forgets it, as in nova: the guest's password stays what it is, and the
guest may post a new one.
"""

from minova_tw.compute import base, metadata, servers

#: nova's policy rules of os-server-password.
RULE = "os_compute_api:os-server-password:%s"


class ServerPasswordAPI(base.Service):

    @base.reader
    def show(self, session, now, context, server_id):
        """The posted password, "" if none."""
        return metadata.password(servers.get_instance(
            session, now, context, server_id, rule=RULE % "show"))

    @base.writer
    def clear(self, session, now, context, server_id):
        instance = servers.get_instance(session, now, context, server_id,
                                        for_update=True, rule=RULE % "clear")
        instance.system_meta = metadata.without_password(instance.system_meta)
