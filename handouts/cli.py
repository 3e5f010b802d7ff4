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
paper_option = click.option("--paper", type=click.Choice(["letter", "a4"], case_sensitive=False),
                            help="Paper size (default: the workspace's, the brand's, else "
                                 "letter).")
brand_option = click.option(
    "--brand", "brand_file", type=click.Path(path_type=Path), envvar="HANDOUTS_BRAND",
    help="Clinic brand file (default: $HANDOUTS_BRAND, else a neutral brand).")
strict_option = click.option(
    "--strict", is_flag=True,
    help="A missing or out-of-date translation is an error, not a warning.")


def _complete_muscles(ctx: click.Context, param: click.Parameter, incomplete: str
                      ) -> list[str]:
    """Muscle ids for the shell's tab completion (the installed library's and a
    workspace's own)."""
    try:
        from handouts.library import muscle_files

        return [m for m in muscle_files(_settings().data(None)) if m.startswith(incomplete)]
    except Exception:  # completion must never print an error into the shell
        return []


def _complete_templates(ctx: click.Context, param: click.Parameter, incomplete: str
                        ) -> list[str]:
    try:
        from handouts.templating import Templates

        names = [n for n, _, _ in Templates(_settings().template_dirs(())).available()]
        return [n for n in names if n.startswith(incomplete)]
    except Exception:
        return []


def _complete_langs(ctx: click.Context, param: click.Parameter, incomplete: str
                    ) -> list[str]:
    from handouts.languages import LANGUAGES

    head, _, last = incomplete.rpartition(",")
    return [f"{head},{c}" if head else c for c in LANGUAGES if c.startswith(last)]


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
@click.option("--config", "config_file", type=click.Path(path_type=Path),
              help="The workspace's handouts.yaml (default: the nearest one in this folder "
                   "or a folder above it).")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None) -> None:
    """Printable PDF patient handouts from a library of muscles.

    \b
    handouts new my-clinic           a folder for your clinic's own setup
    handouts list                    the muscles in the library
    handouts check                   validate every data file and template
    handouts build gluteus-minimus   one handout -> output/gluteus-minimus.pdf
    handouts build --all             every muscle
    """
    ctx.obj = _Settings(config_file)


class _Settings:
    """The workspace a command runs in (its handouts.yaml), read when first needed.

    An option given on the command line always wins over the file."""

    def __init__(self, config_file: Path | None) -> None:
        self.config_file = config_file
        self._ws: object = None
        self._read = False

    def workspace(self):  # noqa: ANN201 - a Workspace, imported late
        if not self._read:
            from handouts.workspace import find_config, load_workspace

            path = self.config_file or find_config(Path.cwd())
            if self.config_file is not None and not self.config_file.is_file():
                raise HandoutError("no such file", file=self.config_file)
            self._ws = load_workspace(path) if path else None
            self._read = True
        return self._ws

    def data(self, data: Path | None):  # noqa: ANN201 - a library's Path or Sources
        ws = self.workspace() if data is None else None
        return data if data is not None else (ws.sources() if ws else None)

    def template_dirs(self, given: tuple[Path, ...]) -> list[Path]:
        ws = self.workspace()
        return list(given) + (ws.template_dirs if ws else [])

    def brand(self, given: Path | None) -> Path | None:
        ws = self.workspace()
        return given or (ws.brand if ws else None)

    def paper(self, given: str | None) -> str | None:
        ws = self.workspace()
        return (given.lower() if given else None) or (ws.config.paper if ws else None)

    def langs(self, given: str) -> list[str]:
        ws = self.workspace()
        return _langs(given) or (list(ws.config.languages) if ws else [])


def _settings() -> _Settings:
    # Tab completion runs without a context of its own, and before cli() sets one.
    ctx = click.get_current_context(silent=True)
    return (ctx.find_root().obj if ctx is not None else None) or _Settings(None)


@cli.command("list")
@data_option
@click.option(
    "--region",
    type=click.Choice(BODY_REGION_IDS),
    help="Only muscles of this body region.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def list_cmd(data: Path | None, region: str | None, as_json: bool) -> None:
    """List the muscles in the library: id, body region, name, other names, and
    where each comes from (the installed library, or the workspace's file)."""
    result = _load(_settings().data(data))
    sources = result.library.sources
    muscles = [
        m for m in result.library.muscles.values() if region is None or m.in_region(region)
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
                        "regions": [m.body_region, *m.also_in],
                        "other_names": m.other_names,
                        "reviewed": m.reviewed.isoformat(),
                        "file": str(sources.muscle(m.id)),
                        "own": sources.is_own(m.id),
                    }
                    for m in muscles
                ],
                indent=2,
            )
        )
    else:
        width = max((len(m.id) for m in muscles), default=2)
        names = {m.id: m.name + (f" ({', '.join(m.other_names)})" if m.other_names else "")
                 for m in muscles}
        own = any(sources.is_own(m.id) for m in muscles)
        wide = max((len(n) for n in names.values()), default=0)
        for m in muscles:
            line = f"{m.id:<{width}}  {m.body_region:<12}  "
            if own:
                origin = display_path(sources.muscle(m.id)) if sources.is_own(m.id) else "built-in"
                line += f"{names[m.id]:<{wide}}  {origin}"
            else:
                line += names[m.id]
            click.echo(line)
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

    settings = _settings()
    result = run_check(settings.data(data), settings.template_dirs(template_dirs),
                       langs=_langs(langs) or None)
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
@click.argument("muscles", nargs=-1, shell_complete=_complete_muscles)
@click.option("--all", "build_all", is_flag=True, help="Build every muscle in the library.")
@click.option("--out", type=click.Path(path_type=Path),
              help="Output folder (default: the workspace's, else ./output). Handouts with "
                   "a patient's details go to OUT/personal/.")
@click.option("-o", "--output", "target", type=click.Path(path_type=Path),
              help="The PDF file, for one muscle in one template and language ('.pdf' is "
                   "added when missing).")
@data_option
@template_dirs_option
@click.option("--template", "template_names", multiple=True, shell_complete=_complete_templates,
              help="Template name (see 'handouts templates') or path to a template file. "
                   "Repeat it, or separate names with commas, for several layouts "
                   "(default: the workspace's, else full).")
@paper_option
@brand_option
@personal_options
@click.option("--lang", "langs", default="", metavar="en,es", shell_complete=_complete_langs,
              help="Languages to build, comma-separated (default: the brand's language). "
                   "Other languages than English go to OUT/<lang>/.")
@strict_option
@click.option("-j", "--jobs", type=click.IntRange(1, 64),
              help="Worker processes (default: one per CPU).")
@click.option("--force", is_flag=True, help="Rebuild even when nothing has changed.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON for scripts.")
def build(muscles: tuple[str, ...], build_all: bool, out: Path | None, target: Path | None,
          data: Path | None,
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

    settings = _settings()
    ws = settings.workspace()
    names = [t.strip() for spec in template_names for t in spec.split(",") if t.strip()]
    names = names or (list(ws.config.templates) if ws else ["full"])
    personal = _personal(patient, clinician, date_, notes, plan, follow_up)
    out = out or (ws.output if ws else Path("output"))
    if personal != type(personal)():
        # Never over the library's copy of the muscle, and never named for the patient.
        out = out / "personal"
    lang_list = settings.langs(langs)
    if target is not None:
        if len(muscles) != 1 or build_all or len(names) != 1 or len(lang_list) > 1:
            raise click.UsageError("-o names one file: give one muscle, one template and one "
                                   "language, or use --out for a folder")
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
    request = BuildRequest(
        muscles=_resolve(muscles, settings.data(data)) or None, out=out,
        data=settings.data(data),
        template_dirs=settings.template_dirs(template_dirs),
        template=names[0], templates=list(dict.fromkeys(names)), paper=settings.paper(paper),
        brand=settings.brand(brand_file), personal=personal, jobs=jobs, force=force,
        langs=lang_list, strict=strict, target=target,
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

    for name, path, desc in Templates(_settings().template_dirs(template_dirs)).available():
        click.echo(f"{name:<14} {desc}  [{display_path(path)}]")


@cli.command()
@click.argument("muscles", nargs=-1, shell_complete=_complete_muscles)
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
    settings = _settings()
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")
    request = BuildRequest(
        muscles=_resolve(muscles, settings.data(data)), data=settings.data(data),
        template_dirs=settings.template_dirs(template_dirs),
        template=template, paper=settings.paper(paper), brand=settings.brand(brand_file),
        personal=_personal(patient, clinician, date_, notes, plan, follow_up),
        langs=settings.langs(langs)[:1],
        strict=strict,
    )
    if title is not None:
        from handouts.validate import clean_text

        title = clean_text(title) or None
    path = run_booklet(request, target, title, region, duplex)
    click.echo(f"wrote {display_path(path)}")


def _resolve(muscles: tuple[str, ...], data) -> list[str]:  # noqa: ANN001
    """Ids for the muscles as typed (any case, or a name such as "TFL")."""
    if not muscles:
        return []
    from handouts.library import resolve_muscles

    return resolve_muscles(list(muscles), data)


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

    from handouts.validate import personal_details

    when = None
    if date_:
        try:
            when = dt.date.fromisoformat(date_)
        except ValueError:
            raise click.BadParameter(f"expected a date like 2026-11-27, got {date_!r}",
                                     param_hint="--date") from None
    return personal_details(patient, clinician, when, notes, plan,
                            _follow_up(follow_up) if follow_up is not None else None)


def _follow_up(text: str):  # noqa: ANN202
    """'2026-12-15' or '2026-12-15 10:30' -> a date or a datetime."""
    from handouts.validate import parse_follow_up

    try:
        return parse_follow_up(text)
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
@click.argument("brand_file", type=click.Path(path_type=Path), required=False)
def brand_check(brand_file: Path | None) -> None:
    """Validate a brand file (default: the workspace's), its logo and its fonts."""
    brand_file = _settings().brand(brand_file)
    if brand_file is None:
        raise click.UsageError("name the brand file, or run this in a workspace "
                               "('handouts new')")
    from handouts.brand import brand_warnings
    from handouts.check.brand import check_brand

    warnings = brand_warnings(check_brand(brand_file))
    _report(warnings)
    count = f"{len(warnings)} warning" + ("s" if len(warnings) != 1 else "")
    click.echo(f"{display_path(brand_file)}: no problems" + (f", {count}" if warnings else ""))


@cli.command("new")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Write over files that are already there.")
def new_cmd(folder: Path, force: bool) -> None:
    """Make a folder for a clinic's own setup: handouts.yaml, a starter brand,
    and folders for its own muscles and templates."""
    from handouts.workspace import write_workspace

    for path in write_workspace(folder, force):
        click.echo(f"wrote {display_path(path)}")
    click.echo("next:")
    click.echo(f"  1. cd {display_path(folder)}")
    click.echo("  2. edit brand/brand.yaml: your clinic's name, phone, address and logo")
    click.echo("  3. handouts brand check")
    click.echo("  4. handouts build --all")


@cli.group()
def muscle() -> None:
    """Work on the muscles of a workspace."""


@muscle.command("copy")
@click.argument("muscle_id", shell_complete=_complete_muscles)
@click.option("--force", is_flag=True, help="Copy over the workspace's own file.")
def muscle_copy(muscle_id: str, force: bool) -> None:
    """Copy a built-in muscle (and its translations) into the workspace to edit."""
    from handouts.workspace import copy_muscle

    ws = _settings().workspace()
    if ws is None:
        raise click.UsageError("run this in a workspace ('handouts new FOLDER'), or give "
                               "--config")
    for path in copy_muscle(ws, muscle_id.strip().lower(), force):
        click.echo(f"wrote {display_path(path)}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but this computer (127.0.0.1) lets other "
                   "computers on the network reach the page, with the token.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-browser", is_flag=True, help="Do not open the page in the browser.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64),
              help="Worker processes that make PDFs (default: one per CPU).")
@click.option("--config", "config_file", type=click.Path(path_type=Path),
              help="The workspace's handouts.yaml to serve (default: the nearest one).")
@data_option
@template_dirs_option
@brand_option
def serve(host: str, port: int, no_browser: bool, jobs: int | None, config_file: Path | None,
          data: Path | None, template_dirs: tuple[Path, ...], brand_file: Path | None
          ) -> None:
    """A local web page for making handouts: find a muscle, type the client's
    name, preview, print. Ctrl-C stops it."""
    import os
    import secrets

    from handouts.web.serve import run

    settings = _Settings(config_file) if config_file else _settings()
    token = secrets.token_urlsafe(18)
    url = f"http://{host}:{port}/?token={token}"
    run(data=settings.data(data), brand=settings.brand(brand_file),
        template_dirs=tuple(settings.template_dirs(template_dirs)),
        paper=None, host=host, port=port, token=token, url=url,
        workers=jobs or os.cpu_count() or 1, open_browser=not no_browser)


def main() -> None:
    # Not click's standalone mode: it turns Ctrl-C into "Aborted!" and exit 1,
    # and a shell script should see 130 like for any interrupted program.
    try:
        cli.main(prog_name="handouts", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        if "--json" in sys.argv[1:]:
            # A script asked for JSON: it gets JSON for a failure too, not an empty stdout.
            click.echo(_failure_json(exc))
        else:
            exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


def _failure_json(exc: click.ClickException) -> str:
    import json

    from handouts.errors import flatten

    if isinstance(exc, HandoutError):
        failed = [{"file": str(e.file) if e.file else None, "line": e.line, "field": e.field,
                   "message": e.detail} for e in flatten([exc])]
    else:
        failed = [{"file": None, "line": None, "field": None, "message": exc.format_message(),
                   "usage": True}]
    return json.dumps({"ok": False, "built": [], "unchanged": [], "failed": failed,
                       "warnings": []}, indent=2)
