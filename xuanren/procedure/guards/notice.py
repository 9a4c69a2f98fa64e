"""Guards and effects of the notice stage."""
