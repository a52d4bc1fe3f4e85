"""Augmentations."""
