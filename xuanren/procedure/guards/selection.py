"""Guards and effects of the selection stage."""
