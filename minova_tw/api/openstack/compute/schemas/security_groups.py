"""Schemas of the security group server actions: a non-empty group name or id; other top-level keys pass, as in nova."""

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

_NAME = {"type": "string", "minLength": 1}

add_security_group = pt.one_field_action("addSecurityGroup", "name", _NAME,
                                         other_keys=True)
remove_security_group = pt.one_field_action("removeSecurityGroup", "name",
                                            _NAME, other_keys=True)
