"""The ``claimgraph`` command: validate, load, query, export, stats.

Settings come from :class:`claimgraph.config.Config` (``CLAIMGRAPH_*`` variables), overridden
by the options given here. Errors are one line on stderr and exit status 1; usage errors exit 2.
"""

from __future__ import annotations

from pathlib import Path

import click
import pyoxigraph as ox

from claimgraph import dataset, formats
from claimgraph.config import Config
from claimgraph.export import export as export_store
from claimgraph.store import EmbeddedStore, StoreError
from claimgraph.validate import validate as validate_curated

PathOption = click.Path(path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", type=PathOption, help="On-disk store directory [env CLAIMGRAPH_STORE; default var/store].")
@click.option("--ontology-dir", type=PathOption, help="Ontology directory [env CLAIMGRAPH_ONTOLOGY_DIR].")
@click.option("--data-dir", type=PathOption, help="Data directory [env CLAIMGRAPH_DATA_DIR].")
@click.version_option(package_name="claimgraph")
@click.pass_context
def main(context: click.Context, **overrides: Path | None) -> None:
    """claimgraph: claims made in the news as a knowledge graph, traced to the words of their sources."""
    context.obj = Config.load(overrides)


@main.command()
@click.pass_obj
def validate(config: Config) -> None:
    """Check the curated data: SHACL shapes, and every quote against its archived text."""
    curated = _read(config)
    problems = validate_curated(curated)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {config.data_dir}")
    click.echo(f"valid: {len(curated.quads)} quads in {len(curated.graphs)} graphs, no problems", err=True)


@main.command()
@click.option("--if-empty", is_flag=True, help="Load only when the store holds nothing yet.")
@click.pass_obj
def load(config: Config, if_empty: bool) -> None:
    """Validate the curated files, then load them into the store.

    Each graph the files define is replaced in one atomic update; other graphs stay. Nothing is
    written when reading or validation fails, and loading the same files twice gives the same store.
    """
    store = _open(config, read_only=False)
    if if_empty and not store.is_empty():
        click.echo(f"store {config.store} already holds data; not loading", err=True)
        return
    curated = _read(config)
    problems = validate_curated(curated)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s); the store was not changed")
    store.replace_graphs(curated.quads)
    click.echo(f"loaded {len(curated.quads)} quads in {len(curated.graphs)} graphs into {config.store}", err=True)


@main.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "file", type=click.File("r", encoding="utf-8"), help="Read the query from a file ('-' for stdin).")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["table", *formats.RESULT_FORMATS, *formats.RDF_FORMATS]),
    help="Output format [table for SELECT and ASK, turtle for CONSTRUCT and DESCRIBE].",
)
@click.pass_obj
def query(config: Config, sparql: str | None, file, format_name: str | None) -> None:
    """Run a SPARQL query over the union of all graphs."""
    if (sparql is None) == (file is None):
        raise click.UsageError("give the query either as an argument or with --file, not both")
    text = sparql if sparql is not None else file.read()
    store = _open(config)
    try:
        result = store.query(text)
    except SyntaxError as error:
        raise click.ClickException(f"query syntax error: {error.msg}") from error
    output = click.get_binary_stream("stdout")
    if isinstance(result, ox.QueryTriples):
        name = format_name or "turtle"
        if name not in formats.RDF_FORMATS:
            raise click.UsageError(f"a CONSTRUCT or DESCRIBE result is written as one of: {', '.join(formats.RDF_FORMATS)}")
        ox.serialize(result, output, formats.RDF_FORMATS[name], prefixes=dataset.prefixes(config.ontology_dir))
        return
    name = format_name or "table"
    if name == "table":
        click.echo(_table(result, dataset.prefixes(config.ontology_dir)))
        return
    if name not in formats.RESULT_FORMATS:
        raise click.UsageError(f"a SELECT or ASK result is written as one of: table, {', '.join(formats.RESULT_FORMATS)}")
    result.serialize(output, formats.RESULT_FORMATS[name])


@main.command()
@click.option("--format", "format_name", default="nquads", show_default=True, help=f"One of: {', '.join(formats.RDF_FORMATS)}.")
@click.option("-o", "--output", type=PathOption, help="Write to this file instead of stdout.")
@click.pass_obj
def export(config: Config, format_name: str, output: Path | None) -> None:
    """Export the whole store (formats without named graphs get the union of all graphs)."""
    try:
        format = formats.rdf_format(format_name)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--format") from error
    store = _open(config)
    if output is None:
        export_store(store, click.get_binary_stream("stdout"), format, config.ontology_dir)
        return
    with output.open("wb") as file:
        export_store(store, file, format, config.ontology_dir)


@main.command()
@click.pass_obj
def stats(config: Config) -> None:
    """Count quads per named graph and instances per class."""
    found = _open(config).stats()
    names = dataset.prefixes(config.ontology_dir)
    click.echo(f"store {config.store}: {found.quads} quads in {len(found.graphs)} named graphs")
    for graph, count in found.graphs.items():
        click.echo(f"  {count:>8}  {graph}")
    click.echo("instances per class:")
    for cls, count in found.classes.items():
        click.echo(f"  {count:>8}  {dataset.compact(cls, names)}")


def _read(config: Config) -> dataset.Curated:
    try:
        return dataset.read(config.ontology_dir, config.data_dir)
    except dataset.DataError as error:
        raise click.ClickException(f"{error}; the store was not changed") from error


def _open(config: Config, read_only: bool = True) -> EmbeddedStore:
    try:
        return EmbeddedStore(config.store, read_only=read_only, create=not read_only)
    except StoreError as error:
        raise click.ClickException(str(error)) from error


def _table(result: ox.QuerySolutions | ox.QueryBoolean, names: dict[str, str]) -> str:
    if isinstance(result, ox.QueryBoolean):
        return "true" if result else "false"
    header = [variable.value for variable in result.variables]
    rows = [[_compact(solution[variable], names) for variable in result.variables] for solution in result]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _compact(term: ox.NamedNode | ox.BlankNode | ox.Literal | None, names: dict[str, str]) -> str:
    """A term as a reader wants it in a table: prefixed IRIs, plain literal values."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return dataset.compact(term.value, names)
    return str(term)

