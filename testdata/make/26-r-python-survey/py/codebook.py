"""Variable names across questionnaire versions."""
