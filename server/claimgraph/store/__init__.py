"""Where data lives and how queries run: the Store interface, its implementations, the query executor."""
