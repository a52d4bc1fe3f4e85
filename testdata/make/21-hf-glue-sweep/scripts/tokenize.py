"""tokenize step of the GLUE sweep."""
