# R helpers are sourced by every script
