"""Every write of the community app, one module per area (import from the module itself)."""
