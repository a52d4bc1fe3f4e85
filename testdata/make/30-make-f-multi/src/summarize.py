"""summarize step."""
