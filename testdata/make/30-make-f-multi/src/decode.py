"""decode step."""
