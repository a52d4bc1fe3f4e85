"""make_splits step."""
