"""The ``chizai`` command.

Its own commands call services; any other command goes to Django's management commands
(``chizai migrate``, ``chizai createsuperuser``, ``chizai check --deploy`` …). Django is
imported only when a command needs it, so ``chizai --help`` and ``chizai review`` start fast.
"""
from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(
    help="chizai 知財 — keep control of your know-how and IP. "
    "Commands not listed here are Django management commands (e.g. chizai migrate, chizai createsuperuser).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
audit_app = typer.Typer(help="Check the tamper-evident audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


def _django(debug: bool | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chizai.settings")
    if debug is not None:
        os.environ["CHIZAI_DEBUG"] = "1" if debug else "0"
    import django

    django.setup()


class ContractType(str, Enum):
    auto = "auto"
    NDA = "NDA"
    MFG = "MFG"
    PROTO = "PROTO"
    JRD = "JRD"
    DEV = "DEV"
    LIC = "LIC"


class Lang(str, Enum):
    auto = "auto"
    ja = "ja"
    en = "en"


class Format(str, Enum):
    text = "text"
    json = "json"
    html = "html"
    pdf = "pdf"


@app.command()
def review(
    files: list[Path] = typer.Argument(..., help="Contract files: PDF (with a text layer), DOCX, TXT or Markdown."),
    type: ContractType = typer.Option(ContractType.auto, "--type", help="Contract type, or auto to detect it."),
    sme: Optional[str] = typer.Option(None, "--sme", help="The label your company has in the contract (乙, 甲, Supplier …)."),
    lang: Lang = typer.Option(Lang.auto, "--lang", help="Language of the contract."),
    format: Format = typer.Option(Format.text, "--format", help="Report format."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the report here instead of the terminal."),
) -> None:
    """Check contracts for clauses that take your know-how, and for missing protections (not legal advice)."""
    from chizai.review.engine.cli import run

    code = run([str(f) for f in files], type=type.value, sme=sme, lang=lang.value, fmt=format.value,
               out=str(out) if out else None)
    raise typer.Exit(code)


@audit_app.command("verify")
def audit_verify(org: Optional[str] = typer.Option(None, "--org", help="Check one organisation (its short name).")) -> None:
    """Recompute every hash of the audit chain; exit 1 and name the first broken event if anything was altered."""
    _django()
    from chizai.core import audit
    from chizai.core.models import Organization

    organization = None
    if org:
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            typer.echo(f"No organisation with the short name {org!r}.", err=True)
            raise typer.Exit(2)
    result = audit.verify(organization)
    typer.echo(result.describe())
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def demo(
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the app after loading the demo."),
    port: int = typer.Option(8000, help="Port to serve on (127.0.0.1)."),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="Run the background worker beside the server."),
) -> None:
    """Set up the database, load the demo companies (idempotent) and serve at http://127.0.0.1:8000."""
    _django(debug=True)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from chizai.core.demo import load_demo

    logins = load_demo()
    typer.echo("Demo loaded. Logins (user / password / role):")
    for line in logins:
        typer.echo(f"  {line}")
    if not serve:
        return
    import subprocess

    worker_process = None
    if worker:
        worker_process = subprocess.Popen([sys.executable, "-m", "chizai.cli", "worker"], env={**os.environ, "CHIZAI_DEBUG": "1"})
    typer.echo(f"Serving at http://127.0.0.1:{port}/  (Ctrl+C to stop)")
    try:
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
    finally:
        if worker_process is not None:
            worker_process.terminate()
            worker_process.wait(timeout=10)


@app.command()
def worker(
    once: bool = typer.Option(False, "--once", help="Run what is due, then exit."),
    interval: float = typer.Option(1.0, help="Seconds between polls of the queue."),
) -> None:
    """Run background jobs (reviews, extraction, indexing, reminders) from the database queue."""
    _django()
    from chizai.core.worker import run_worker

    run_worker(once=once, interval=interval)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    own = {"review", "audit", "demo", "worker"}
    if argv and not argv[0].startswith("-") and argv[0] not in own:
        _django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["chizai", *argv])
        return
    app(args=argv, prog_name="chizai")


if __name__ == "__main__":
    main()
