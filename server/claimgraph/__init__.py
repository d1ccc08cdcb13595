"""claimgraph: a knowledge graph of claims made in the news, anchored to their sources."""

__version__ = "0.1.0"
