# local overrides; copied from .env.mk.example
DBT_TARGET := dev
SINCE_DEFAULT = 3 days ago
