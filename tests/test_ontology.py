"""The ontology, the shapes and the JSON-LD context: parse, document themselves and agree with each other."""

from __future__ import annotations

import json

import pytest
import rdflib
from claimgraph.model import dataset
from conftest import ONTOLOGY
from rdflib.namespace import OWL, RDF, RDFS, SKOS

CG = rdflib.Namespace("https://w3id.org/claimgraph/ontology#")


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY / dataset.ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY / dataset.SHAPES_FILE, format="turtle")


def own_terms(ontology: rdflib.Graph, kind: rdflib.URIRef) -> list[rdflib.URIRef]:
    return sorted(term for term in ontology.subjects(RDF.type, kind) if term.startswith(str(CG)))


@pytest.mark.parametrize("name", ["Claim", "Policy", "Outcome", "Figure", "Evidence"])
def test_core_classes_exist_with_exact_names(ontology, name):
    assert (CG[name], RDF.type, OWL.Class) in ontology


@pytest.mark.parametrize(
    "own, standard",
    [
        (CG.Claim, rdflib.URIRef("http://schema.org/Claim")),
        (CG.Figure, rdflib.URIRef("http://schema.org/Observation")),
        (CG.Evidence, rdflib.URIRef("http://www.w3.org/ns/oa#SpecificResource")),
    ],
)
def test_own_classes_specialise_standard_ones(ontology, own, standard):
    assert (own, RDFS.subClassOf, standard) in ontology


def test_every_own_class_specialises_a_term_of_another_vocabulary(ontology):
    for term in own_terms(ontology, OWL.Class):
        parents = list(ontology.objects(term, RDFS.subClassOf))
        assert any(not parent.startswith(str(CG)) for parent in parents), term


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_own_term_has_label_and_comment(ontology, kind):
    terms = own_terms(ontology, kind)
    assert terms
    for term in terms:
        assert ontology.value(term, RDFS.label) is not None, term
        assert ontology.value(term, RDFS.comment) is not None, term


def test_every_concept_has_a_label_and_a_scheme(ontology):
    """Concepts are found by their class (a subclass of skos:Concept), not by the scheme the test checks for."""
    concepts = {
        row.concept for row in ontology.query(
            "SELECT DISTINCT ?concept WHERE { ?class rdfs:subClassOf+ skos:Concept . ?concept a ?class }",
            initNs={"rdfs": RDFS, "skos": SKOS},
        )
    }
    assert concepts, "the ontology declares no concepts"
    for concept in concepts:
        assert ontology.value(concept, SKOS.prefLabel) is not None, concept
        scheme = ontology.value(concept, SKOS.inScheme)
        assert scheme is not None, concept
        assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology, (concept, scheme)


def test_shapes_use_only_terms_the_ontology_declares(ontology, shapes):
    declared = set(ontology.subjects())
    used = {term for triple in shapes for term in triple if isinstance(term, rdflib.URIRef) and term.startswith(str(CG))}
    assert used, "the shapes should constrain claimgraph terms"
    assert used <= declared, sorted(used - declared)


def test_context_maps_only_to_declared_claimgraph_terms(ontology):
    context = dataset.context(ONTOLOGY)
    prefixes = dataset.prefixes(ONTOLOGY)
    declared = set(ontology.subjects())
    for term, definition in context.items():
        if term.startswith("@") or term in prefixes:
            continue
        iri = definition if isinstance(definition, str) else definition["@id"]
        prefix, local = iri.split(":", 1)
        expanded = rdflib.URIRef(prefixes[prefix] + local)
        if prefix == "cg":
            assert expanded in declared, term


def test_context_has_no_term_twice():
    raw = (ONTOLOGY / dataset.CONTEXT_FILE).read_text(encoding="utf-8")
    seen: list[str] = []
    json.loads(raw, object_pairs_hook=lambda pairs: seen.extend(key for key, _ in pairs) or dict(pairs))
    context_keys = [key for key in seen if key not in ("@id", "@type", "@context")]
    duplicates = {key for key in context_keys if context_keys.count(key) > 1}
    assert not duplicates
