"""JSON schemas of the compute API's request bodies and query strings, one module per resource."""
