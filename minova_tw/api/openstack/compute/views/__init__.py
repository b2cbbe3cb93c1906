"""How the compute API shows its resources, per microversion: one module per resource."""
