"""Reads of the community app shaped for its pages, one module per area (import from the module itself)."""
