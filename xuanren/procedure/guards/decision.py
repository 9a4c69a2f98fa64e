"""Guards and effects of the decision stage."""
