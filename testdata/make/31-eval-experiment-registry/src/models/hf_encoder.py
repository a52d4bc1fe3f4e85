"""Hugging Face encoder with a classification head."""
