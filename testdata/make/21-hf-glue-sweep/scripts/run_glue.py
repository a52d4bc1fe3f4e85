"""run_glue step of the GLUE sweep."""
