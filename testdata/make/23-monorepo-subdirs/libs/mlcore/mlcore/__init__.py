"""Shared feature definitions."""
