"""Schemas of os-simple-tenant-usage's query strings: start, end (and detailed); paging from 2.40; nothing else from 2.75."""

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

_string = pt.multi_params({"type": "string"})


def _query(names, paged=False, strict=False):
    properties = {name: _string for name in names}
    if paged:
        properties.update(pt.pagination_parameters)
    return {"type": "object", "properties": properties,
            "additionalProperties": not strict}


index_query = _query(("start", "end", "detailed"))
index_query_v240 = _query(("start", "end", "detailed"), paged=True)
index_query_v275 = _query(("start", "end", "detailed"), paged=True,
                          strict=True)
show_query = _query(("start", "end"))
show_query_v240 = _query(("start", "end"), paged=True)
show_query_v275 = _query(("start", "end"), paged=True, strict=True)
