"""Batch scoring worker."""
