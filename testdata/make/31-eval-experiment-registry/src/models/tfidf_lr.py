"""TF-IDF + logistic regression."""
