"""download_glue step of the GLUE sweep."""
