"""Toy ranking service."""

__version__ = "0.3.1"
