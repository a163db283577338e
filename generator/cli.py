"""The `geosite` command: a thin layer over generator.build that prints progress and one-line errors."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.logging import RichHandler

from generator import __version__
from generator.errors import GeositeError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None, help="Build a static OGC API Records + STAC catalogue and tile site from a folder of metadata and data.")
err = Console(stderr=True)


def _print_version(wanted: bool) -> None:
    if wanted:
        print(f"geosite {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit.")] = False,
) -> None:
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO, format="%(message)s", handlers=[RichHandler(console=err, show_time=False, show_path=False)])
    for library in ("rasterio", "pyogrio", "fiona"):  # GDAL's own chatter while probing files; geosite says what went wrong
        logging.getLogger(library).setLevel(logging.DEBUG if debug else logging.WARNING)
    _state["debug"] = debug


_state = {"debug": False}


@app.command()
def build(
    src: Annotated[Path, typer.Argument(help="Source folder with catalogue.yaml and datasets/<id>/dataset.yaml.")] = Path("catalogue_src"),
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder; replaced as a whole when the build succeeds.")] = Path("build"),
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="Absolute URL the site will be served at (overrides base_url in catalogue.yaml).")] = None,
    check: Annotated[bool, typer.Option("--check/--no-check", help="Validate schemas and links before publishing the output.")] = True,
    jobs: Annotated[Optional[int], typer.Option("-j", "--jobs", min=1, help="Datasets processed at once (default: all cores).")] = None,
    cache: Annotated[bool, typer.Option("--cache/--no-cache", help="Reuse the data files of datasets whose source and settings did not change.")] = True,
    keep_going: Annotated[bool, typer.Option("--keep-going", help="Publish everything that built: a dataset that fails keeps its last good version (or is left out). Still exits 1.")] = False,
) -> None:
    """Build the site from SRC into OUTPUT."""
    from generator import stamp

    previous = _run(lambda: stamp.up_to_date(src, output, base_url, check)) if cache else None  # before importing the pipelines
    if previous is None:
        from generator.build import build as run_build

        with err.status("Building…") as status:
            result = _run(lambda: run_build(src, output, base_url=base_url, check=check, jobs=jobs, cache=cache, keep_going=keep_going, progress=lambda step: status.update(step + "…")))
        previous = result.unchanged
    if previous is not None:
        err.print(f"Nothing changed since {output} was built ({previous.datasets} datasets, {previous.files} files); left it as it is.", soft_wrap=True)
        return
    count = len(result.catalogue.datasets)
    err.print(f"Built {count} dataset{'s' if count != 1 else ''} into {result.output} ({len(result.files)} files).", soft_wrap=True)
    err.print(f"Look at it: geosite serve {result.output}  (then open http://127.0.0.1:8000/)", soft_wrap=True)
    if result.failures:
        for problem in result.failures:
            err.print(f"[bold red]error:[/] {problem}", markup=True, highlight=False, soft_wrap=True)
        err.print(f"{len(result.failures)} dataset problem(s): published with their last good data, or left out (see above).", soft_wrap=True)
        raise typer.Exit(1)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Folder for the new source (created if missing).")] = Path("."),
) -> None:
    """Start a new source folder: a commented catalogue.yaml and an empty datasets/ (never overwrites anything)."""
    from generator.scaffold import init as run_init

    catalogue, _ = _run(lambda: run_init(folder))
    err.print(f"Wrote {catalogue} and {folder / 'datasets'}/. Edit the title, description and publisher, then add data:", soft_wrap=True, highlight=False)
    err.print(f"  geosite add path/to/data.gpkg --into {folder}\n  geosite build {folder}", soft_wrap=True, highlight=False)


@app.command()
def add(
    path: Annotated[Path, typer.Argument(help="A data file (or folder, for formats such as a File Geodatabase) to publish.")],
    dataset_id: Annotated[Optional[str], typer.Option("--id", help="The dataset's id (default: from the file name).")] = None,
    into: Annotated[Optional[Path], typer.Option("--into", help="The source folder (default: this folder if it holds catalogue.yaml, else catalogue_src).")] = None,
    link: Annotated[bool, typer.Option("--link", help="Reference the file where it is instead of copying it into the source folder.")] = False,
    layer: Annotated[Optional[str], typer.Option("--layer", help="The layer (or NetCDF variable) to publish from a file that has several.")] = None,
    all_layers: Annotated[bool, typer.Option("--all-layers", help="One dataset per layer of a multi-layer file.")] = False,
) -> None:
    """Draft datasets/<id>/dataset.yaml from a data file: title, extent, CRS, geometry or bands, fields, time."""
    from generator.draft import add_dataset, default_source_folder

    src = into if into is not None else default_source_folder(Path.cwd())
    drafts = _run(lambda: add_dataset(path, src, dataset_id=dataset_id, link=link, layer=layer, all_layers=all_layers))
    for draft in drafts:
        err.print(f"Drafted {draft.yaml_path} ({draft.summary})", soft_wrap=True, highlight=False)
        for note in draft.notes:
            err.print(f"  check: {note}", soft_wrap=True, highlight=False)
    err.print(f"Review the draft{'s' if len(drafts) != 1 else ''}, then: geosite build {src}", soft_wrap=True, highlight=False)


@app.command()
def check(
    site: Annotated[Path, typer.Argument(help="A built site folder.")] = Path("build"),
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="Treat absolute links under this URL as links into the site.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON for machines.")] = False,
) -> None:
    """Validate a built site: JSON documents against their official schemas, and every link. Exit 1 on any finding."""
    import json

    from generator.check import check_build

    if not site.is_dir():
        err.print(f"[bold red]error:[/] {site}: no such folder; build it first with 'geosite build'", markup=True, highlight=False)
        raise typer.Exit(1)
    findings = check_build(site, base_url)
    if as_json:
        print(json.dumps([{"path": f.path, "check": f.check, "message": f.message} for f in findings], indent=1))
    else:
        for finding in findings:
            print(f"{finding.check}: {finding}")
        err.print(f"{len(findings)} problem{'s' if len(findings) != 1 else ''} found in {site}." if findings else f"{site}: all documents valid, all links resolve.")
    raise typer.Exit(1 if findings else 0)


@app.command()
def serve(
    site: Annotated[Path, typer.Argument(help="The built site folder to serve.")] = Path("build"),
    host: Annotated[str, typer.Option("--host", help="Address to listen on (0.0.0.0 for every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0 picks a free one).")] = 8000,
    watch: Annotated[Optional[Path], typer.Option("--watch", help="Source folder: build SITE from it now and on every change, and reload open pages.")] = None,
) -> None:
    """Serve a built site locally: HTTP ranges, CORS, ETags and the same OGC API URLs under /api as the host configs."""
    from generator.build import build as run_build
    from generator.serve import serve as run_serve

    if watch is not None:
        with err.status("Building…"):
            _run(lambda: run_build(watch, site))
    elif not site.is_dir():
        err.print(f"[bold red]error:[/] {site}: no such folder; build it first with 'geosite build' (or use --watch SRC)", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(1)

    def ready(server) -> None:
        err.print(f"Serving {site} at {server.url} (OGC API for QGIS/GDAL/OWSLib: {server.url}api); Ctrl+C to stop.", soft_wrap=True, highlight=False)

    builder = (lambda src, dest: run_build(src, dest)) if watch is not None else None
    _run(lambda: _listen(lambda: run_serve(site, host, port, watch_src=watch, builder=builder, ready=ready), host, port))


def _listen(action, host: str, port: int):
    """A busy port or a bad address is a one-line error, not a traceback."""
    try:
        return action()
    except OSError as exc:
        from generator.errors import BuildError

        raise BuildError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@app.command()
def publish(
    site: Annotated[Path, typer.Argument(help="The built site folder to upload.")],
    target: Annotated[Optional[str], typer.Argument(help="s3://bucket/prefix (or give it with --to).")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="Destination, s3://bucket/prefix.")] = None,
    endpoint_url: Annotated[Optional[str], typer.Option("--endpoint-url", help="S3-compatible endpoint (MinIO, Ceph, R2, …); default AWS.")] = None,
    delete: Annotated[bool, typer.Option("--delete", help="Also delete objects under the prefix that the site no longer has.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be uploaded and deleted, change nothing.")] = False,
    cors: Annotated[bool, typer.Option("--cors", help="Also set the bucket's CORS rule so browsers on other sites can read ranges (replaces the bucket's CORS rules).")] = False,
) -> None:
    """Upload SITE to S3-compatible storage with the right Content-Type and Cache-Control, changed files only."""
    from generator.publish import publish as run_publish

    destination = to or target
    if destination is None or (to and target and to != target):
        err.print("[bold red]error:[/] give one destination: geosite publish SITE s3://bucket/prefix", markup=True, highlight=False)
        raise typer.Exit(1)
    with err.status("Comparing…") as status:
        plan = _run(lambda: run_publish(site, destination, endpoint_url=endpoint_url, delete=delete, dry_run=dry_run, cors=cors, progress=lambda text: status.update(text)))
    for rel in plan.upload:
        print(f"{'would upload' if dry_run else 'uploaded'} {rel}")
    for key in plan.delete:
        print(f"{'would delete' if dry_run else 'deleted'} {key}")
    kept = f"; {len(plan.stale)} stale object(s) kept (use --delete)" if plan.stale and not delete else ""
    err.print(f"{'Would upload' if dry_run else 'Uploaded'} {len(plan.upload)} file(s), {len(plan.unchanged)} unchanged, {'would delete' if dry_run else 'deleted'} {len(plan.delete)}{kept}.", soft_wrap=True)


def _run(action):
    """Run `action`, turning geosite's errors into one line each and exit code 1 (tracebacks with --debug)."""
    try:
        return action()
    except GeositeError as exc:
        if _state["debug"]:
            raise
        for problem in exc.problems:
            err.print(f"[bold red]error:[/] {problem}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("interrupted; the previous output is unchanged")
        raise typer.Exit(130) from None
    except Exception as exc:  # a bug or an environment failure: still one line unless --debug
        if _state["debug"]:
            raise
        err.print(f"[bold red]error:[/] unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
