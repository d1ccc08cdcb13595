"""What every page shares: the site's navigation, linking the pages this application serves."""

from __future__ import annotations

from flask import Flask, request, url_for

#: The navigation of every page, in order: the path of a page and its label. A page is linked only when the
#: application serves its path, so that a part not (yet) installed leaves no dead link.
NAVIGATION = (
    ("/", "Home"),
    ("/search", "Search"),
    ("/claims", "Claims"),
    ("/sparql", "SPARQL editor"),
    ("/queries", "Canned queries"),
    ("/export", "Exports"),
    ("/ontology", "Ontology"),
    ("/.well-known/void", "VoID"),
)


def install(app: Flask) -> None:
    """Give every template ``site_navigation``: (URL, label, whether it is the page shown) for each page of
    :data:`NAVIGATION` that ``app`` serves by GET. Call it once every blueprint is registered."""
    served = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    entries = [(served[path], label) for path, label in NAVIGATION if path in served]

    @app.context_processor
    def navigation() -> dict[str, object]:
        return {"site_navigation": [(url_for(endpoint), label, request.endpoint == endpoint) for endpoint, label in entries]}
