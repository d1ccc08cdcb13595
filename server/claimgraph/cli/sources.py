"""``claimgraph add-source`` (a new source archived with its metadata) and ``claimgraph export-yaml`` (the claims of a
curated source written in the YAML form that ``claimgraph compile`` reads)."""

from __future__ import annotations

from pathlib import Path

import click

from claimgraph.cli import PathOption, main
from claimgraph.config import Config
from claimgraph.errors import DataError
from claimgraph.model import dataset
from claimgraph.model.authoring import export, source


def _curated(config: Config) -> dataset.Curated:
    try:
        return dataset.read(config.ontology_dir, config.data_dir)
    except DataError as error:
        raise click.ClickException(str(error)) from error


@main.command("add-source")
@click.argument("url")
@click.option("--text", "text_file", type=PathOption, required=True, help="The source's text, a UTF-8 file, archived byte for byte.")
@click.option("--headline", help="The article's headline (required).")
@click.option("--author", "authors", multiple=True, help="Its author, by name (required; repeat for each author).")
@click.option("--publisher", help="Its publisher, by name (required).")
@click.option("--date", help="Its date of publication, YYYY-MM-DD (required).")
@click.option("--language", default="en", show_default=True, help="Its language, a BCP 47 tag.")
@click.option("--slug", help="The source's name in folders, graphs and IRIs [default: publisher-year-headline].")
@click.option("--note", help="What else the retrieval note should say (how the text was captured).")
@click.pass_obj
def add_source(config: Config, url: str, text_file: Path, **options) -> None:
    """Archive the text of the source at URL under data/sources/<slug>/ with its metadata (source.trig) and a starter
    claims.yaml. Authors and publisher are matched by name with the existing entities, created when new. Nothing is
    written when anything is wrong."""
    try:
        added = source.add_source(_curated(config), config.iri_base, url=url, text_file=text_file, **options)
    except DataError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"added source {added.slug}: {added.folder}", err=True)
    for iri in added.created:
        click.echo(f"  new entity {iri}", err=True)
    click.echo(f"next: write its claims in {added.folder / source.CLAIMS_FILE}, then `claimgraph compile`", err=True)


@main.command("export-yaml")
@click.argument("slug")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Write to this file instead of stdout.")
@click.pass_obj
def export_yaml(config: Config, slug: str, output) -> None:
    """Write the claims of the curated source SLUG (its graph) in the YAML form `claimgraph compile` reads."""
    try:
        text = export.export_yaml(_curated(config), slug, config.iri_base)
    except DataError as error:
        raise click.ClickException(str(error)) from error
    output.write(text)
