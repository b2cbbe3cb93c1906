"""Schemas of the flavor access actions: one project id, as stored (1-255 characters)."""

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

_TENANT = {"type": "string", "minLength": 1, "maxLength": 255}

add_tenant_access = pt.one_field_action("addTenantAccess", "tenant", _TENANT)
remove_tenant_access = pt.one_field_action("removeTenantAccess", "tenant",
                                           _TENANT)
