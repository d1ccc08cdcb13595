"""Authoring: a new source archived with its metadata, its claims written in YAML and compiled into the project's
TriG (and the curated TriG written back as YAML, so that the YAML form is known to be complete)."""
