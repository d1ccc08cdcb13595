"""``claimgraph import-claimreview``: fact-checkers' reviews from schema.org ClaimReview JSON-LD, into the store in
one update or into a TriG file."""

from __future__ import annotations

from pathlib import Path

import click
import pyoxigraph as ox

from claimgraph.cli import PathOption, main, store_of
from claimgraph.config import Config
from claimgraph.errors import DataError, ReviewError
from claimgraph.model import dataset, entities, reviewgraph, reviews
from claimgraph.rdf.vocabulary import CG, SCHEMA
from claimgraph.store.base import insert_data

#: The prefixes of a TriG file written (others would name minted IRIs with escaped slashes).
PREFIXES = {"cg": CG, "schema": SCHEMA, "xsd": reviews.XSD}
#: The file name suffixes read below a directory.
SUFFIXES = (".json", ".jsonld")


def _files(paths: tuple[Path, ...]) -> list[Path]:
    """The files named, and the ``*.json`` / ``*.jsonld`` files below the directories named (recursively, sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(file for file in path.rglob("*") if file.is_file() and file.suffix in SUFFIXES)
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _read(files: list[Path]) -> tuple[list[reviews.Review], list[str]]:
    """The well-formed reviews of every file, and the problems of the others and of the files that cannot be read."""
    batch: list[reviews.Review] = []
    problems: list[str] = []
    for file in files:
        try:
            found, malformed = reviews.read_claimreview(reviews.read_json(file.read_bytes(), str(file)), str(file))
        except OSError as error:
            problems.append(f"{file}: cannot read: {error.strerror}")
        except ReviewError as error:
            problems += error.problems
        else:
            batch += found
            problems += malformed
    return batch, problems


@main.command("import-claimreview")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=PathOption,
              help="Write the reviews to this TriG file (matched against the curated files) instead of the store.")
@click.pass_obj
def import_claimreview(config: Config, paths: tuple[Path, ...], output: Path | None) -> None:
    """Import fact-checkers' reviews from ClaimReview JSON-LD files (directories: their *.json and *.jsonld files).

    Each review is matched to the claim its itemReviewed names, or whose text and appearance URL match its
    claimReviewed, or kept with a claim of its own; its reviewer is found by name or sameAs, or created. The
    reviews go in one update, replacing earlier imports of the same reviews; a malformed record rejects the whole
    batch, and nothing is written.
    """
    files = _files(paths)
    if not files:
        raise click.UsageError(f"no *.json or *.jsonld file in {', '.join(map(str, paths))}")
    try:
        batch, problems = _read(files)
        shapes = reviewgraph.shapes(config.ontology_dir)
        if output is not None:
            curated = dataset.read(config.ontology_dir, config.data_dir)
            store = curated.store()
            built = reviewgraph.prepare(
                batch, store.query(reviewgraph.QUERY, use_default_graph_as_union=True),
                store.query(entities.QUERY, use_default_graph_as_union=True), shapes, config.iri_base, problems,
            )
            ox.serialize(built.quads, str(output), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
        else:
            with store_of(config, writable=True) as store:
                built = reviewgraph.prepare(
                    batch, store.construct(reviewgraph.QUERY), store.construct(entities.QUERY), shapes, config.iri_base, problems
                )
                store.update(" ;\n".join([*built.deletions(), insert_data(built.quads)]))
    except ReviewError as error:
        raise click.ClickException(f"{error}\n{'no file was written' if output else 'the store was not changed'}") from error
    except DataError as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write: {error.strerror or error}") from error
    replaced = len(built.existing)
    click.echo(
        f"imported {len(built.reviews)} review(s) ({len(built.reviews) - replaced} new, {replaced} replaced) "
        f"in {len(built.graphs)} reviewer graph(s) into {output or config.store}",
        err=True,
    )
