"""FastAPI front end."""
