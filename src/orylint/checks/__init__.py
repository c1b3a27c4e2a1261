"""Rule implementations, one module per family (see ``rules/`` for their metadata)."""
