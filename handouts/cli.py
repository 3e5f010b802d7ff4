"""The ``handouts`` command line.

Heavy modules (reportlab, the renderer) are imported inside the commands
that need them, so ``--help``, ``list`` and ``check`` start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from handouts import __version__
from handouts.errors import ErrorList, HandoutError, display_path
from handouts.regions import BODY_REGION_IDS

DATA_HELP = "Muscle library folder (default: the built-in library)."
TEMPLATES_HELP = "Folder of templates, searched before the built-in ones. Repeatable."

# Options several commands share, declared once so they read the same everywhere.
data_option = click.option("--data", type=click.Path(path_type=Path), help=DATA_HELP)
template_dirs_option = click.option("--templates", "template_dirs", multiple=True,
                                    type=click.Path(path_type=Path), help=TEMPLATES_HELP)
paper_option = click.option("--paper", type=click.Choice(["letter", "a4"]),
                            help="Paper size (default: the brand's, else letter).")
brand_option = click.option(
    "--brand", "brand_file", type=click.Path(path_type=Path), envvar="HANDOUTS_BRAND",
    help="Clinic brand file (default: $HANDOUTS_BRAND, else a neutral brand).")
strict_option = click.option(
    "--strict", is_flag=True,
    help="A missing or out-of-date translation is an error, not a warning.")


def personal_options(f):  # noqa: ANN001, ANN201 - a click decorator
    """--patient, --clinician, --date and --note, for the 'Prepared for' box;
    --plan and --follow-up for the 'Your plan' box."""
    for option in reversed([
        click.option("--patient", help="Patient's name for the 'Prepared for' box."),
        click.option("--clinician", help="Clinician's name for the 'Prepared for' box."),
        click.option("--date", "date_", metavar="YYYY-MM-DD",
                     help="Date for the 'Prepared for' box (default: today, when a name or "
                          "note is given)."),
        click.option("--note", "notes", multiple=True,
                     help="A note for the patient. Repeatable."),
        click.option("--plan", "plan", multiple=True,
                     help="A line of the clinician's plan for the 'Your plan' box, e.g. "
                          "\"Steps 1 to 4, twice a day\". Repeatable."),
        click.option("--follow-up", "follow_up", metavar="'YYYY-MM-DD [HH:MM]'",
                     help="The follow-up visit for the 'Your plan' box: a date, or a date "
                          "and a time."),
    ]):
        f = option(f)
    return f


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
@data_option
@click.option(
    "--region",
    type=click.Choice(BODY_REGION_IDS),
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
        import json

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
@data_option
@template_dirs_option
@click.option(
    "--report",
    "table",
    is_flag=True,
    help="Also print a reading-level table of the whole library.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON for scripts.")
@click.option("--lang", "langs", default="", metavar="en,es",
              help="Languages whose wording to check, comma-separated (default: English and "
                   "every language with a translation file).")
def check(data: Path | None, template_dirs: tuple[Path, ...], table: bool, as_json: bool,
          langs: str) -> None:
    """Validate every data file and template, and check reading level and wording.

    Exits 1 when there is a problem; warnings are printed but do not fail.
    """
    if table and as_json:
        raise click.UsageError("use --report or --json, not both")
    from handouts.check import format_table, run_check

    result = run_check(data, list(template_dirs), langs=_langs(langs) or None)
    if as_json:
        import json

        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        if table:
            click.echo(format_table(result))
        _report(result.messages)
        click.echo(result.summary, err=bool(result.problems))
    if result.problems:
        sys.exit(1)


@cli.command()
@click.argument("muscles", nargs=-1)
@click.option("--all", "build_all", is_flag=True, help="Build every muscle in the library.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("output"), show_default=True,
              help="Output folder.")
@data_option
@template_dirs_option
@click.option("--template", "template_names", multiple=True, default=["full"],
              show_default=True,
              help="Template name (see 'handouts templates') or path to a template file. "
                   "Repeat it, or separate names with commas, for several layouts.")
@paper_option
@brand_option
@personal_options
@click.option("--lang", "langs", default="", metavar="en,es",
              help="Languages to build, comma-separated (default: the brand's language). "
                   "Other languages than English go to OUT/<lang>/.")
@strict_option
@click.option("-j", "--jobs", type=click.IntRange(1, 64),
              help="Worker processes (default: one per CPU).")
@click.option("--force", is_flag=True, help="Rebuild even when nothing has changed.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON for scripts.")
def build(muscles: tuple[str, ...], build_all: bool, out: Path, data: Path | None,
          template_dirs: tuple[Path, ...], template_names: tuple[str, ...], paper: str | None,
          brand_file: Path | None, patient: str | None, clinician: str | None,
          date_: str | None, notes: tuple[str, ...], plan: tuple[str, ...],
          follow_up: str | None, langs: str, strict: bool,
          jobs: int | None, force: bool, quiet: bool, as_json: bool) -> None:
    """Build handouts: name muscles by id, or use --all.

    Handouts whose inputs (data, templates, brand, options) have not changed
    since the last build into the same folder are skipped; --force rebuilds.
    Without --patient, --clinician or --note, the 'Prepared for' box prints
    blank lines to fill in by hand. Patient details go into the PDF only,
    never into file names or the build record.
    """
    if not muscles and not build_all:
        raise click.UsageError("name one or more muscles (see 'handouts list'), or use --all")
    if muscles and build_all:
        raise click.UsageError("give muscle names or --all, not both")
    from handouts.batch import BuildRequest, run_build

    names = [t.strip() for spec in template_names for t in spec.split(",") if t.strip()]
    request = BuildRequest(
        muscles=list(muscles) or None, out=out, data=data, template_dirs=list(template_dirs),
        template=names[0], templates=list(dict.fromkeys(names)), paper=paper, brand=brand_file,
        personal=_personal(patient, clinician, date_, notes, plan, follow_up), jobs=jobs,
        force=force,
        langs=_langs(langs), strict=strict,
    )
    show_bar = not (quiet or as_json) and sys.stderr.isatty()
    if show_bar:
        with click.progressbar(length=1, label="building", file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            report = run_build(request, progress)
    else:
        report = run_build(request)
    if as_json:
        import json

        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        if not quiet:
            for path in report.built:
                click.echo(f"wrote {display_path(path)}")
        _report(report.warnings)
        _report(report.failed)
        if not quiet or report.failed:
            click.echo(f"{len(report.built)} built, {len(report.unchanged)} unchanged, "
                       f"{len(report.failed)} failed in {report.seconds:.1f} s", err=True)
    if report.failed:
        sys.exit(1)


@cli.command("templates")
@template_dirs_option
@click.option("--reference", is_flag=True,
              help="Print the markup reference (the tags templates can use) as Markdown.")
def templates_cmd(template_dirs: tuple[Path, ...], reference: bool) -> None:
    """List the templates a build can use, with a one-line description each."""
    if reference:
        from handouts.markup import reference_markdown

        click.echo(reference_markdown(), nl=False)
        return
    from handouts.templating import Templates

    for name, path, desc in Templates(list(template_dirs)).available():
        click.echo(f"{name:<14} {desc}  [{display_path(path)}]")


@cli.command()
@click.argument("muscles", nargs=-1)
@click.option("-o", "--output", "target", type=click.Path(path_type=Path), required=True,
              help="The booklet's PDF file, e.g. hip-pack.pdf.")
@click.option("--region", type=click.Choice(BODY_REGION_IDS),
              help="Add every muscle of this body region.")
@click.option("--title", help="Title on the cover (default: from the region).")
@data_option
@template_dirs_option
@click.option("--template", default="full", show_default=True,
              help="Template for each muscle's part.")
@paper_option
@brand_option
@personal_options
@click.option("--lang", "langs", default="", metavar="es",
              help="The booklet's language (default: the brand's language).")
@click.option("--duplex", is_flag=True,
              help="For printing on both sides: each muscle starts on a right-hand page.")
@strict_option
def booklet(muscles: tuple[str, ...], target: Path, region: str | None, title: str | None,
            data: Path | None, template_dirs: tuple[Path, ...], template: str,
            paper: str | None, brand_file: Path | None, patient: str | None,
            clinician: str | None, date_: str | None, notes: tuple[str, ...],
            plan: tuple[str, ...], follow_up: str | None, langs: str,
            duplex: bool, strict: bool) -> None:
    """One PDF of several muscles: a cover with the contents, the sections every
    muscle shares (printed once), then each muscle's part.

    \b
    handouts booklet gluteus-minimus piriformis -o hip-pack.pdf
    handouts booklet --region hip -o hip-pack.pdf
    """
    from handouts.batch import BuildRequest, run_booklet

    if not muscles and not region:
        raise click.UsageError("name the muscles for the booklet, or use --region")
    request = BuildRequest(
        muscles=list(muscles), data=data, template_dirs=list(template_dirs),
        template=template, paper=paper, brand=brand_file,
        personal=_personal(patient, clinician, date_, notes, plan, follow_up),
        langs=_langs(langs)[:1],
        strict=strict,
    )
    if title is not None:
        from handouts.validate import clean_text

        title = clean_text(title) or None
    path = run_booklet(request, target, title, region, duplex)
    click.echo(f"wrote {display_path(path)}")


def _langs(spec: str) -> list[str]:
    from handouts.languages import LANGUAGES

    langs = [x.strip() for x in spec.split(",") if x.strip()]
    for lang in langs:
        if lang not in LANGUAGES:
            raise click.BadParameter(
                f"unknown language '{lang}' (available: {', '.join(LANGUAGES)})",
                param_hint="--lang")
    return list(dict.fromkeys(langs))


def _personal(patient: str | None, clinician: str | None, date_: str | None,
              notes: tuple[str, ...], plan: tuple[str, ...] = (),
              follow_up: str | None = None):  # noqa: ANN202
    import datetime as dt

    from handouts.models import Personal
    from handouts.validate import clean_text

    # The same clean-up as text from the data files: what is typed is printed as
    # text, without invisible control or zero-width characters.
    patient = clean_text(patient) if patient is not None else None
    clinician = clean_text(clinician) if clinician is not None else None
    notes = tuple(n for n in (clean_text(x) for x in notes) if n)
    plan = tuple(n for n in (clean_text(x) for x in plan) if n)
    when = None
    if date_:
        try:
            when = dt.date.fromisoformat(date_)
        except ValueError:
            raise click.BadParameter(f"expected a date like 2026-11-27, got {date_!r}",
                                     param_hint="--date") from None
    elif patient or clinician or notes:
        when = dt.date.today()
    return Personal(patient=patient or None, clinician=clinician or None, date=when,
                    notes=notes, plan=plan,
                    follow_up=_follow_up(follow_up) if follow_up is not None else None)


def _follow_up(text: str):  # noqa: ANN202
    """'2026-12-15' or '2026-12-15 10:30' -> a date or a datetime."""
    import datetime as dt
    import re

    m = re.fullmatch(r"\s*(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2}))?\s*", text)
    try:
        if m is None:
            raise ValueError
        day = dt.date.fromisoformat(m.group(1))
        if m.group(2) is None:
            return day
        return dt.datetime.combine(day, dt.time(int(m.group(2)), int(m.group(3))))
    except ValueError:
        raise click.BadParameter(
            f"expected a date like 2026-12-15, or a date and a 24-hour time like "
            f"'2026-12-15 10:30', got {text!r}", param_hint="--follow-up") from None


@cli.group()
def brand() -> None:
    """Set up and check a clinic's brand file."""


@brand.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that are already there.")
def brand_init(folder: Path, force: bool) -> None:
    """Write a starter brand folder: a commented brand.yaml and a placeholder logo."""
    from handouts.resources import builtin_assets_dir

    src = builtin_assets_dir() / "brand"
    files = ["brand.yaml", "logo.svg"]
    existing = [folder / f for f in files if (folder / f).exists()]
    if existing and not force:
        names = ", ".join(display_path(p) for p in existing)
        raise HandoutError(f"{names} already exist; use --force to overwrite")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for f in files:
            (folder / f).write_bytes((src / f).read_bytes())
    except OSError as exc:
        raise HandoutError(f"cannot write the brand folder: {exc.strerror}", file=folder) from None
    where = display_path(folder / "brand.yaml")
    click.echo(f"wrote {where} and {display_path(folder / 'logo.svg')}")
    click.echo("next:")
    click.echo(f"  1. edit {where}: clinic name, phone, colors, booking link")
    logo = display_path(folder / "logo.svg")
    click.echo(f"  2. replace {logo} with your logo (SVG, PNG or JPEG)")
    click.echo(f"  3. handouts brand check {where}")
    click.echo(f"  4. handouts build gluteus-minimus --brand {where}")


@brand.command("check")
@click.argument("brand_file", type=click.Path(path_type=Path))
def brand_check(brand_file: Path) -> None:
    """Validate a brand file, its logo and its fonts."""
    from handouts.brand import brand_warnings
    from handouts.check.brand import check_brand

    warnings = brand_warnings(check_brand(brand_file))
    _report(warnings)
    count = f"{len(warnings)} warning" + ("s" if len(warnings) != 1 else "")
    click.echo(f"{display_path(brand_file)}: no problems" + (f", {count}" if warnings else ""))


def main() -> None:
    # Not click's standalone mode: it turns Ctrl-C into "Aborted!" and exit 1,
    # and a shell script should see 130 like for any interrupted program.
    try:
        cli.main(prog_name="handouts", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
