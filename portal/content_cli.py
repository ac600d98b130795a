"""`flask content check`: validate the route maps and the programmes and organisations they name."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.services.content_errors import ContentError
from portal.services.routekaarten.checks import check_content
from portal.services.routekaarten.content import content_directory

content = AppGroup("content", help="Check the content files.")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@content.command("check")
def check() -> None:
    """Validate every route map and check its programme and organisation slugs against the database."""
    directory = content_directory(current_app)
    try:
        result = check_content(directory)
    except ContentError as error:
        raise click.ClickException(str(error)) from error
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if result.errors:
        lines = [str(error) for error in result.errors]
        lines.append(
            "Is the database up to date? Load the programmes (flask seed-demo for the demo) and check again. "
            "An archived programme: take it out of the route map, or publish it again."
        )
        raise click.ClickException("\n".join(lines))
    if not result.catalogue.maps:
        click.echo(f"No route maps in {directory}.")
        return
    listed = ", ".join(
        f"{route_map.slug} ({_count(len(route_map.steps), 'step')}, {_count(len(route_map.offers), 'offer')})"
        for route_map in result.catalogue.maps
    )
    click.echo(f"Route maps OK: {listed}.")
