"""aggregate step of the GLUE sweep."""
