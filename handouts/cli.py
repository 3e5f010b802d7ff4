"""The ``handouts`` command line.

Heavy modules (reportlab, the renderer) are imported inside the commands
that need them, so ``--help``, ``list`` and ``check`` start fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from handouts import __version__
from handouts.errors import ErrorList, HandoutError, display_path

DATA_HELP = "Muscle library folder (default: the built-in library)."
TEMPLATES_HELP = "Folder of templates, searched before the built-in ones. Repeatable."


def _load(data: Path | None, only: list[str] | None = None):  # noqa: ANN202
    from handouts.library import load_library

    result = load_library(data, only)
    if result.library is None:
        raise ErrorList(result.problems)
    return result


def _report(problems: list[HandoutError]) -> None:
    for p in problems:
        p.show()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handouts")
def cli() -> None:
    """Printable PDF patient handouts from a library of muscles.

    \b
    handouts list                    the muscles in the library
    handouts check                   validate every data file and template
    handouts build gluteus-minimus   one handout -> output/gluteus-minimus.pdf
    handouts build --all             every muscle
    """


@cli.command("list")
@click.option("--data", type=click.Path(path_type=Path), help=DATA_HELP)
@click.option(
    "--region",
    type=click.Choice(["head-neck", "shoulder-arm", "trunk", "hip", "leg"]),
    help="Only muscles of this body region.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def list_cmd(data: Path | None, region: str | None, as_json: bool) -> None:
    """List the muscles in the library: id, name and body region."""
    result = _load(data)
    muscles = [
        m for m in result.library.muscles.values() if region is None or m.body_region == region
    ]
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": m.id,
                        "name": m.name,
                        "region": m.body_region,
                        "other_names": m.other_names,
                        "reviewed": m.reviewed.isoformat(),
                    }
                    for m in muscles
                ],
                indent=2,
            )
        )
    else:
        width = max((len(m.id) for m in muscles), default=2)
        for m in muscles:
            click.echo(f"{m.id:<{width}}  {m.body_region:<12}  {m.name}")
    _report(result.problems)
    if result.problems:
        sys.exit(1)


@cli.command()
@click.option("--data", type=click.Path(path_type=Path), help=DATA_HELP)
@click.option(
    "--templates",
    "template_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help=TEMPLATES_HELP,
)
def check(data: Path | None, template_dirs: tuple[Path, ...]) -> None:
    """Validate every data file and template; exit 0 when all is well."""
    from handouts.checking import check_library

    problems, summary = check_library(data, list(template_dirs))
    _report(problems)
    click.echo(summary, err=bool(problems))
    if problems:
        sys.exit(1)


@cli.command()
@click.argument("muscles", nargs=-1)
@click.option("--all", "build_all", is_flag=True, help="Build every muscle in the library.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Output folder.",
)
@click.option("--data", type=click.Path(path_type=Path), help=DATA_HELP)
@click.option(
    "--templates",
    "template_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help=TEMPLATES_HELP,
)
@click.option(
    "--template",
    default="full",
    show_default=True,
    help="Template name (see 'handouts templates') or path to a template file.",
)
@click.option("--paper", type=click.Choice(["letter", "a4"]), help="Paper size (default letter).")
def build(
    muscles: tuple[str, ...],
    build_all: bool,
    out: Path,
    data: Path | None,
    template_dirs: tuple[Path, ...],
    template: str,
    paper: str | None,
) -> None:
    """Build handouts: name muscles by id, or use --all."""
    if not muscles and not build_all:
        raise click.UsageError("name one or more muscles (see 'handouts list'), or use --all")
    if muscles and build_all:
        raise click.UsageError("give muscle names or --all, not both")
    from handouts.build import BuildRequest, run_build

    request = BuildRequest(
        muscles=list(muscles) or None,
        out=out,
        data=data,
        template_dirs=list(template_dirs),
        template=template,
        paper=paper,
    )
    report = run_build(request)
    for path in report.built:
        click.echo(f"wrote {display_path(path)}")
    _report(report.failed)
    click.echo(
        f"{len(report.built)} built, {len(report.failed)} failed in {report.seconds:.1f} s",
        err=True,
    )
    if report.failed:
        sys.exit(1)


@cli.command("templates")
@click.option(
    "--templates",
    "template_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help=TEMPLATES_HELP,
)
def templates_cmd(template_dirs: tuple[Path, ...]) -> None:
    """List the templates a build can use, with a one-line description each."""
    from handouts.templating import Templates

    for name, path, desc in Templates(list(template_dirs)).available():
        click.echo(f"{name:<14} {desc}  [{display_path(path)}]")


def main() -> None:
    try:
        cli.main(prog_name="handouts", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
