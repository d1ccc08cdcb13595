"""The data and its rules: the curated files, their validation, the canned-query catalog."""
