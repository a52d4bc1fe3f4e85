"""serialize step."""
