"""prepare step."""
