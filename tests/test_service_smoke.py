"""The service starts under gunicorn and answers a SPARQL client."""

from SPARQLWrapper import JSON, SPARQLWrapper


def test_sparqlwrapper_counts_the_claims(server, claims):
    client = SPARQLWrapper(server.sparql())
    client.setQuery("PREFIX cg: <https://w3id.org/claimgraph/ontology#> SELECT (COUNT(?c) AS ?n) WHERE { ?c a cg:Claim }")
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert [row["n"]["value"] for row in rows] == [str(claims)]
