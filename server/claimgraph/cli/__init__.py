"""The ``claimgraph`` command: validate, load, query, export, stats.

Settings come from :class:`claimgraph.config.Config` (``CLAIMGRAPH_*`` variables), overridden
by the options given here. Errors are one line on stderr and exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import BinaryIO, TextIO

import click
import pyoxigraph as ox

from claimgraph.cli import bulkload
from claimgraph.config import Config
from claimgraph.errors import ClaimgraphError, DataError, StoreError
from claimgraph.model import dataset
from claimgraph.model.validate import validate as validate_curated
from claimgraph.rdf import formats
from claimgraph.rdf.sparqltext import scan
from claimgraph.store import bulk as store_bulk
from claimgraph.store.base import Query, Store
from claimgraph.store.embedded import EmbeddedStore, no_store, open_store

PathOption = click.Path(path_type=Path)


def _named_for(form: str) -> str:
    """The usual short names of the formats of a ``form`` answer, for help texts."""
    return ", ".join(row.name for row in formats.for_form(form))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", type=PathOption, help="On-disk store directory [env CLAIMGRAPH_STORE; default var/store].")
@click.option("--ontology-dir", type=PathOption, help="Ontology directory [env CLAIMGRAPH_ONTOLOGY_DIR].")
@click.option("--data-dir", type=PathOption, help="Data directory [env CLAIMGRAPH_DATA_DIR].")
@click.version_option(package_name="claimgraph")
@click.pass_context
def main(context: click.Context, **overrides: Path | None) -> None:
    """claimgraph: claims made in the news as a knowledge graph, traced to the words of their sources."""
    try:
        context.obj = Config.load(overrides)
    except (ValueError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error


@main.command()
@click.pass_obj
def validate(config: Config) -> None:
    """Check the curated data: SHACL shapes, and every quote against its archived text."""
    curated = _validated(config, problems_to_stderr=False)
    click.echo(f"valid: {len(curated.quads)} quads in {len(curated.graphs)} graphs, no problems", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--if-empty", is_flag=True, help="Load only when the store holds nothing yet.")
@click.pass_obj
def load(config: Config, paths: tuple[Path, ...], if_empty: bool) -> None:
    """Load RDF files (PATHs: files or folders), or with no PATH the curated files, into the store.

    With no PATH, the curated files are validated (SHACL, every quote) and each graph they define is replaced
    in one atomic update; other graphs stay. With PATHs (.nt .nq .ttl .trig .rdf .xml .owl .jsonld .n3, each
    also .gz; folders searched recursively), every file is read and checked first, then all of them are added
    in one bulk write; triples outside a named graph go into the graph <iri_base>graph/file/<file name>.
    Either way nothing is written when a file fails to parse or validate.
    """
    if paths:
        bulkload.run(config, paths, if_empty=if_empty)
        return
    curated = _validated(config, problems_to_stderr=True, unchanged="; the store was not changed")
    try:
        store = store_of(config, writable=True)
    except click.ClickException as error:
        if store_bulk.is_held(error):
            raise bulkload.held(config) from error
        raise
    with store:
        if if_empty and not store.is_empty():
            click.echo(f"store {config.store} already holds data; not loading", err=True)
            return
        store.replace_graphs(curated.quads)
    click.echo(f"loaded {len(curated.quads)} quads in {len(curated.graphs)} graphs into {config.store}", err=True)


@main.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "file", type=click.File("r", encoding="utf-8"), help="Read the query from a file ('-' for stdin).")
@click.option(
    "--format",
    "format_name",
    help=f"Output format, by the names format= takes over HTTP: table, {_named_for('SELECT')} for SELECT and ASK [table]; "
    f"{_named_for('CONSTRUCT')} for CONSTRUCT and DESCRIBE [turtle].",
)
@click.pass_obj
def query(config: Config, sparql: str | None, file: TextIO | None, format_name: str | None) -> None:
    """Run a SPARQL query over the union of all graphs; answers are written as the HTTP service writes them."""
    if (sparql is None) == (file is None):
        raise click.UsageError("give the query as an argument or with --file, one of the two")
    text = sparql if sparql is not None else file.read()
    graph = scan(text).form in formats.GRAPH_FORMS
    table = not graph and (format_name or "table") == "table"
    if graph:
        job = Query(text, results_as=None, graph_as=_chosen(formats.rdf_format, format_name or "turtle").media_type)
    elif table:
        job = Query(text, graph_as=None)
    else:
        job = Query(text, results_as=_chosen(formats.result_format, format_name).media_type, graph_as=None)
    with store_of(config, writable=False) as store:
        try:
            answer = store.query(job)
        except SyntaxError as error:
            raise click.ClickException(f"query syntax error: {error.msg}") from error
        except ClaimgraphError as error:
            raise click.ClickException(f"query failed: {error}") from error
    if table:
        click.echo(_table(ox.parse_query_results(answer.body(), ox.QueryResultsFormat.JSON), store.prefixes))
        return
    output = click.get_binary_stream("stdout")
    for chunk in answer.chunks:
        output.write(chunk)


@main.command()
@click.option("--format", "format_name", default="nquads", show_default=True, help=f"One of: {_named_for('CONSTRUCT')}.")
@click.option("-o", "--output", type=click.File("wb"), default="-", help="Write to this file instead of stdout.")
@click.pass_obj
def export(config: Config, format_name: str, output: BinaryIO) -> None:
    """Export the whole store (formats without named graphs get the union of all graphs; JSON-LD compacted)."""
    format = _chosen(formats.rdf_format, format_name)
    with store_of(config, writable=False) as store:
        store.dump(output, format)


@main.command()
@click.option("--host", help="Address to listen on [env CLAIMGRAPH_HOST; default 127.0.0.1].")
@click.option("--port", type=int, help="Port to listen on [env CLAIMGRAPH_PORT; default 8000].")
@click.option("--workers", type=click.IntRange(min=1), help="Query worker processes [env CLAIMGRAPH_WORKERS; default: one per core].")
@click.pass_obj
def serve(config: Config, **options: object) -> None:
    """Serve SPARQL, canned queries and pages over HTTP, under gunicorn.

    One gunicorn process with threads handles HTTP; queries run in ``--workers`` processes, each
    stopped at the time limit (CLAIMGRAPH_QUERY_TIMEOUT).
    """
    from claimgraph.web.wsgi import serve as run_server

    config = dataclasses.replace(config, **{name: value for name, value in options.items() if value is not None})
    # Only look: a store opened here would be inherited half-alive by the forked gunicorn worker.
    if not EmbeddedStore.exists(config.store):
        raise click.ClickException(str(no_store(config.store)))
    run_server(config)


@main.command()
@click.pass_obj
def stats(config: Config) -> None:
    """Count quads per named graph and instances per class."""
    with store_of(config, writable=False) as store:
        found = store.stats()
    names = store.prefixes
    click.echo(f"store {config.store}: {found.quads} quads in {len(found.graphs)} named graphs")
    for graph, count in found.graphs.items():
        click.echo(f"  {count:>8}  {graph}")
    click.echo("instances per class:")
    for cls, count in found.classes.items():
        click.echo(f"  {count:>8}  {dataset.compact(cls, names)}")


def _validated(config: Config, *, problems_to_stderr: bool, unchanged: str = "") -> dataset.Curated:
    """The curated files, read and validated; each problem printed, then a failure exit."""
    try:
        curated = dataset.read(config.ontology_dir, config.data_dir)
    except DataError as error:
        raise click.ClickException(f"{error}{unchanged}") from error
    problems = validate_curated(curated)
    for problem in problems:
        click.echo(str(problem), err=problems_to_stderr)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {config.data_dir}{unchanged}")
    return curated


def store_of(config: Config, *, writable: bool) -> Store:
    """The store, with the project's prefixes and JSON-LD context; a failure exit naming what stopped it."""
    try:
        return open_store(
            config.store, writable=writable, prefixes=dataset.prefixes(config.ontology_dir), context=dataset.context(config.ontology_dir)
        )
    except (StoreError, DataError) as error:
        raise click.ClickException(str(error)) from error


def _chosen(lookup, name: str):
    """A format by name, or a usage error naming the formats there are."""
    try:
        return lookup(name)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--format") from error


def _table(result: ox.QuerySolutions | ox.QueryBoolean, names: dict[str, str]) -> str:
    if isinstance(result, ox.QueryBoolean):
        return "true" if result else "false"
    header = [variable.value for variable in result.variables]
    rows = [[_cell(solution[variable], names) for variable in result.variables] for solution in result]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | None, names: dict[str, str]) -> str:
    """A term as a reader wants it in a table: prefixed IRIs, plain literal values."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return dataset.compact(term.value, names)
    return str(term)


from claimgraph.cli import compile  # noqa: E402,F401
from claimgraph.cli import reviews  # noqa: E402,F401
from claimgraph.cli import sources  # noqa: E402,F401
