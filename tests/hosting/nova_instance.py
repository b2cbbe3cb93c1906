"""Insert one instance row through nova's own objects; print its ids as JSON.

Run with the hosting venv's python, with ``OS_NOVA_CONFIG_DIR`` set (the
same directory the hosted nova reads). Creating a server through the API
needs conductor, scheduler and a compute service on a message bus; the
metadata API only needs the row, in cell1, and the API database's
InstanceMapping that says where it lives, so that is what this writes.

    python nova_instance.py HOSTNAME
"""

import json
import os
import sys
import uuid


def main(hostname):
    from nova import config
    from nova import context as nova_context
    from nova.network import model as network_model
    from nova import objects

    objects.register_all()
    confdir = os.environ["OS_NOVA_CONFIG_DIR"]
    config.parse_args([sys.argv[0]], default_config_files=[
        os.path.join(confdir, "nova.conf")])
    admin = nova_context.get_admin_context()
    (cell,) = [c for c in objects.CellMappingList.get_all(admin)
                if c.name == "cell1"]
    project, user = "demo-project", "demo-user"
    flavor = objects.Flavor(
        name="hosting-test", memory_mb=512, vcpus=1, root_gb=1,
        ephemeral_gb=0, swap=0, flavorid="hosting-test", rxtx_factor=1.0,
        vcpu_weight=0, disabled=False, is_public=True, extra_specs={},
        description=None)
    instance_uuid = str(uuid.uuid4())
    with nova_context.target_cell(admin, cell) as cctxt:
        instance = objects.Instance(
            context=cctxt, uuid=instance_uuid, project_id=project,
            user_id=user, hostname=hostname, display_name=hostname,
            vm_state="active", power_state=1, task_state=None,
            image_ref=str(uuid.uuid4()), launch_index=0,
            availability_zone="nova", flavor=flavor,
            old_flavor=None, new_flavor=None, system_metadata={},
            metadata={"role": "hosting-test"},
            instance_type_id=1, memory_mb=512, vcpus=1, root_gb=1,
            ephemeral_gb=0, config_drive="", key_name=None,
            root_device_name="/dev/vda",
            # No ports: metadata reads the network info from this cache.
            info_cache=objects.InstanceInfoCache(
                network_info=network_model.NetworkInfo([])))
        instance.create()
    mapping = objects.InstanceMapping(
        context=admin, instance_uuid=instance_uuid, cell_mapping=cell,
        project_id=project, user_id=user)
    mapping.create()
    print(json.dumps({"uuid": instance_uuid, "project_id": project,
                      "hostname": hostname}))


if __name__ == "__main__":
    main(sys.argv[1])
