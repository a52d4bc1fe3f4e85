"""Feature transforms."""
