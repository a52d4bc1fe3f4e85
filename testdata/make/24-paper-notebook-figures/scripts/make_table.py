"""Render a results CSV as a booktabs table."""
