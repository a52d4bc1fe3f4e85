"""predict step."""
