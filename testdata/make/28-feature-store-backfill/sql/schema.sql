create schema if not exists features
