"""Shared HTTP client with retries for the extractors."""
