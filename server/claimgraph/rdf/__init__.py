"""RDF and SPARQL as text: formats and content negotiation, the SPARQL scanner."""
