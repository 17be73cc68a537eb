"""Rule kinds: the typed templates that pack rules fill in."""
