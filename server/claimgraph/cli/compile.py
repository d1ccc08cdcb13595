"""``claimgraph compile``: the claims files of sources (YAML) into the project's TriG, all or nothing."""

from __future__ import annotations

from pathlib import Path

import click

from claimgraph.cli import PathOption, main
from claimgraph.config import Config
from claimgraph.errors import AuthoringError, DataError
from claimgraph.model import dataset
from claimgraph.model.authoring import compiler


@main.command("compile")
@click.argument("yaml_files", nargs=-1, type=PathOption)
@click.option("-o", "--output", type=PathOption, help="Write to this TriG file (one YAML file only) [default: data/claims/<slug>.trig].")
@click.pass_obj
def compile_command(config: Config, yaml_files: tuple[Path, ...], output: Path | None) -> None:
    """Compile claims files (default: every sources/*/claims.yaml of the data directory) into TriG.

    Every quote is found in its source's archived text and the result is validated with the curated files; each
    problem is printed as file:line: claim: what is wrong, and then nothing at all is written (exit status 1).
    """
    paths = list(yaml_files) or sorted(config.data_dir.glob("sources/*/claims.yaml"))
    if not paths:
        raise click.ClickException(f"no claims files: none given and none at {config.data_dir / 'sources' / '*' / 'claims.yaml'}")
    if output is not None and len(paths) != 1:
        raise click.UsageError("--output takes the compiled triples of one claims file: give exactly one")
    try:
        compiled = compiler.compile_all(paths, config.ontology_dir, config.data_dir, config.iri_base, output)
    except AuthoringError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s); nothing was written") from error
    except DataError as error:
        raise click.ClickException(f"{error}; nothing was written") from error
    try:
        compiler.write(compiled, dataset.prefixes(config.ontology_dir), config.iri_base)
    except DataError as error:
        raise click.ClickException(str(error)) from error
    for result in compiled:
        click.echo(f"compiled {result.yaml_path} -> {result.output} ({len(result.quads)} quads)", err=True)
