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
    sme: str | None = typer.Option(
        None, "--sme", help="The label your company has in the contract (乙, 甲, Supplier …)."
    ),
    lang: Lang = typer.Option(Lang.auto, "--lang", help="Language of the contract."),
    format: Format = typer.Option(Format.text, "--format", help="Report format."),
    out: Path | None = typer.Option(None, "--out", help="Write the report here instead of the terminal."),
    docx_out: Path | None = typer.Option(
        None, "--docx-out", help="Also write the contract as a Word file with each finding as a comment."
    ),
    comment_lang: Lang = typer.Option(Lang.ja, "--comment-lang", help="Language of the Word comments (ja or en)."),
    author: str = typer.Option("chizai", "--author", help="Name on the Word comments and proposed wording."),
) -> None:
    """Check contracts for clauses that take your know-how, and for missing protections (not legal advice)."""
    from chizai.review.engine.cli import run

    code = run(
        [str(f) for f in files],
        type=type.value,
        sme=sme,
        lang=lang.value,
        fmt=format.value,
        out=str(out) if out else None,
        docx_out=str(docx_out) if docx_out else None,
        comment_lang=comment_lang.value,
        author=author,
    )
    raise typer.Exit(code)


@audit_app.command("verify")
def audit_verify(
    org: str | None = typer.Option(None, "--org", help="Check one organisation (its short name)."),
) -> None:
    """Recompute every hash of the audit chain, check that every organisation's chain exists and no checkpoint was
    rolled back (against the high-water marks kept on this host); exit 1 and name the first problem."""
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
    force: bool = typer.Option(
        False, "--force", help="Load the demo even on a production tier or beside real organisations."
    ),
) -> None:
    """Set up the database, load the demo companies (idempotent) and serve at http://127.0.0.1:8000.
    Refused when CHIZAI_PRODUCTION=1 or the PostgreSQL database holds real organisations, unless --force."""
    _django()  # the product's own error pages, not Django's debug ones (CHIZAI_DEBUG=1 turns those on)
    from django.core.management import call_command

    from chizai.core.demo import DemoRefused, demo_refusal, load_demo

    # Asked before migrate as well, so a refused demo changes nothing at all.
    refusal = None if force else _demo_refusal_before_migrate(demo_refusal)
    if refusal:
        typer.echo(refusal, err=True)
        raise typer.Exit(2)
    call_command("migrate", verbosity=0, interactive=False)
    try:
        logins = load_demo(force=force)
    except DemoRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    from chizai.core.jobs import run_pending

    done = run_pending()  # index the demo files and finish queued reviews before anyone logs in
    typer.echo(f"Demo loaded ({done} background job(s) run). Logins (user / password / role):")
    for line in logins:
        typer.echo(f"  {line}")
    if not serve:
        return
    import subprocess

    worker_process = None
    if worker:
        worker_process = subprocess.Popen([sys.executable, "-m", "chizai.cli", "worker"], env=os.environ.copy())
    typer.echo(f"Serving at http://127.0.0.1:{port}/  (Ctrl+C to stop)")
    try:
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
    finally:
        if worker_process is not None:
            worker_process.terminate()
            worker_process.wait(timeout=10)


def _demo_refusal_before_migrate(demo_refusal) -> str | None:
    from django.db import DatabaseError

    try:
        return demo_refusal()
    except DatabaseError:
        return None  # no tables yet: a new database holds nobody's data (CHIZAI_PRODUCTION is checked before any query)


@app.command()
def worker(
    once: bool = typer.Option(False, "--once", help="Run what is due, then exit."),
    interval: float | None = typer.Option(
        None, help="Seconds between polls of the queue when idle (default CHIZAI_WORKER_POLL_SECONDS)."
    ),
) -> None:
    """Run background jobs (reviews, extraction, indexing, reminders) from the database queue."""
    _django()
    from chizai.core.worker import run_worker

    run_worker(once=once, interval=interval)


evidence_app = typer.Typer(
    help="Evidence of possession for register assets (RFC 3161 tokens, hashes).", no_args_is_help=True
)
app.add_typer(evidence_app, name="evidence")


def _register_actor(organization, username: str | None):
    """The user a register command acts as (its access rules apply): --user, else an owner."""
    from django.contrib.auth import get_user_model

    from chizai.core.models import Membership

    if username:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
    else:
        membership = Membership.objects.filter(organization=organization, role="owner").order_by("pk").first()
        user = membership.user if membership else None
    if user is None:
        typer.echo(f"No such active user: {username!r}." if username else "The organisation has no owner.", err=True)
        raise typer.Exit(2)
    return user


def _asset_and_actor(asset_id: int, username: str | None):
    """The asset a register command names (exit 2 if there is none) and who acts on it."""
    from chizai.register.models import Asset

    target = Asset.objects.filter(pk=asset_id).select_related("organization").first()
    if target is None:
        typer.echo(f"No asset with id {asset_id}.", err=True)
        raise typer.Exit(2)
    return target, _register_actor(target.organization, username)


@evidence_app.command("export")
def evidence_export(
    asset: int = typer.Argument(..., help="The asset's id."),
    out: Path = typer.Option(..., "--out", help="A new (or empty) folder for the package."),
    user: str | None = typer.Option(
        None, "--user", help="Act as this user (default: an owner of the asset's organisation)."
    ),
) -> None:
    """Write an asset's files, SHA-256 sums, RFC 3161 tokens and a manifest that `openssl ts -verify` can check."""
    _django()
    from django.http import Http404

    from chizai.core.access import Denied
    from chizai.core.services import ChizaiError
    from chizai.register.export import export_evidence

    target, actor = _asset_and_actor(asset, user)
    try:
        manifest = export_evidence(actor, target.organization, asset, out)
    except (Http404, Denied):
        typer.echo(f"{actor.get_username()} may not download asset {asset}.", err=True)
        raise typer.Exit(2) from None
    except ChizaiError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    stamped = sum(1 for v in manifest["versions"] if v["token"])
    typer.echo(f"Wrote {len(manifest['versions'])} version(s), {stamped} with an RFC 3161 token, to {out}")


@app.command()
def upload(
    asset: int = typer.Argument(..., help="The asset's id."),
    file: Path = typer.Argument(..., help="The file to store as a new version (encrypted at rest)."),
    file_id: int | None = typer.Option(
        None, "--file-id", help="Add a version to this document of the asset; default: a new document."
    ),
    name: str | None = typer.Option(None, "--name", help="The document's name (default: the file's name)."),
    user: str | None = typer.Option(
        None, "--user", help="Act as this user (default: an owner of the asset's organisation)."
    ),
) -> None:
    """Store a file as a new version of a register asset: encrypted, hashed, timestamped when a TSA is set."""
    if not file.is_file():
        typer.echo(f"No such file: {file}", err=True)
        raise typer.Exit(2)
    _django()
    from django.http import Http404

    from chizai.core.access import Denied
    from chizai.core.services import ChizaiError
    from chizai.register.services import upload_version

    target, actor = _asset_and_actor(asset, user)
    try:
        with file.open("rb") as handle:
            version = upload_version(actor, target.organization, asset, handle, name=name or file.name, file_id=file_id)
    except (Http404, Denied):
        typer.echo(f"{actor.get_username()} may not change asset {asset}, or it has no document {file_id}.", err=True)
        raise typer.Exit(2) from None
    except ChizaiError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Stored {version.original_name} v{version.number} (document {version.file_id}, {version.size} bytes, "
        f"SHA-256 {version.sha256}, {version.get_stamp_display()})."
    )


class SearchFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def reindex(
    org: str | None = typer.Option(None, "--org", help="Only this organisation (short name); default: all."),
) -> None:
    """Queue a full rebuild of the search index; `chizai worker` carries it out."""
    _django()
    from chizai.core.models import Organization
    from chizai.register.services import queue_full_reindex

    organization = None
    if org is not None:
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            typer.echo(f"No organisation with the short name {org!r}.", err=True)
            raise typer.Exit(2)
    typer.echo(f"{queue_full_reindex(organization)} index rebuilds queued.")


@app.command()
def search(
    query: str = typer.Argument(..., help="Words to find (Japanese or English)."),
    org: str = typer.Option(..., "--org", help="The organisation's short name."),
    user: str = typer.Option(..., "--user", help="Search as this user: only what they may see is found."),
    format: SearchFormat = typer.Option(SearchFormat.text, "--format"),
    limit: int = typer.Option(20, "--limit"),
) -> None:
    """Search the intellectual-capital register (titles, descriptions and file contents)."""
    _django()
    import json

    from django.core.exceptions import PermissionDenied

    from chizai.core.models import Organization
    from chizai.register.services import search_assets

    organization = Organization.objects.filter(slug=org).first()
    if organization is None:
        typer.echo(f"No organisation with the short name {org!r}.", err=True)
        raise typer.Exit(2)
    actor = _register_actor(organization, user)
    try:
        hits = search_assets(actor, organization, query, limit=limit)
    except PermissionDenied:
        typer.echo(f"{user} may not see the register of {org}.", err=True)
        raise typer.Exit(2) from None
    if format == SearchFormat.json:
        typer.echo(
            json.dumps(
                [
                    {"asset_id": h.asset_id, "title": h.title, "snippet": h.snippet, "score": h.score, "file": h.file}
                    for h in hits
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for hit in hits:
        typer.echo(f"{hit.asset_id}\t{hit.title}\t{hit.file or '-'}\t{hit.snippet}")
    if not hits:
        typer.echo("Nothing found.")


@app.command("rewrap-keys")
def rewrap_keys(
    rotate_org_keys: bool = typer.Option(
        False,
        "--rotate-org-keys",
        help="Also give organisations new keys and re-wrap their files' data keys under them.",
    ),
    org: str | None = typer.Option(
        None, "--org", help="With --rotate-org-keys: only this organisation (its short name)."
    ),
) -> None:
    """Re-wrap every organisation key under the current CHIZAI_MASTER_KEY (old keys in CHIZAI_MASTER_KEYS_OLD)
    and move data keys still wrapped by a master key onto their organisation's key. Files are not rewritten."""
    if org and not rotate_org_keys:
        typer.echo("--org only goes with --rotate-org-keys.", err=True)
        raise typer.Exit(2)
    _django()
    from chizai.core.models import Organization
    from chizai.core.services import ChizaiError
    from chizai.register.models import OrganizationKey
    from chizai.register.services import rewrap_keys as rewrap
    from chizai.register.services import rotate_org_key

    try:
        done = rewrap()
        typer.echo(
            f"Re-wrapped {done.org_keys} organisation key(s); moved {done.data_keys} data key(s) onto organisation keys."
        )
        if not rotate_org_keys:
            return
        if org:
            organizations = list(Organization.objects.filter(slug=org))
            if not organizations:
                typer.echo(f"No organisation with the short name {org!r}.", err=True)
                raise typer.Exit(2)
        else:
            # After the rewrap above every organisation with sealed files has a key.
            keyed = OrganizationKey.objects.values("organization_id")
            organizations = list(Organization.objects.filter(pk__in=keyed).order_by("slug"))
        for organization in organizations:
            new, counts = rotate_org_key(None, organization)
            typer.echo(f"{organization.slug}: new key {new.kid}, re-wrapped {sum(counts.values())} data key(s).")
    except ChizaiError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


disclosure_app = typer.Typer(help="Disclosure control: trace hand-over copies, queue reminders.", no_args_is_help=True)
app.add_typer(disclosure_app, name="disclosure")


@disclosure_app.command("trace")
def disclosure_trace(
    file: Path = typer.Argument(..., help="A PDF or zip found outside (re-saved copies too)."),
) -> None:
    """Name the disclosure and recipient a copy was made for; exit 1 when it is not ours, 2 when unreadable."""
    if not file.is_file():
        typer.echo(f"No such file: {file}", err=True)
        raise typer.Exit(2)
    _django()
    from chizai.disclosure.copies import trace, trace_message

    result = trace(file.read_bytes())
    typer.echo(trace_message(result))
    raise typer.Exit({"ours": 0, "not_ours": 1}.get(result["status"], 2))


@disclosure_app.command("remind")
def disclosure_remind() -> None:
    """Queue today's reminder e-mails for every organisation (run daily from cron; sent once per duty and stage)."""
    _django()
    from chizai.disclosure.duties import schedule_reminders

    jobs = schedule_reminders()
    typer.echo(f"Queued reminder runs for {len(jobs)} organisation(s); `chizai worker` sends them.")


feedback_app = typer.Typer(
    help="The organisation's feedback on review findings (labelled examples).", no_args_is_help=True
)
app.add_typer(feedback_app, name="review-feedback")


@feedback_app.command("export")
def review_feedback_export(
    org: str = typer.Option(..., "--org", help="The organisation's short name (slug)."),
    out: Path = typer.Option(..., "--out", help="The JSON lines file to write (rule cases: rule, lang, expect, text)."),
) -> None:
    """Write an organisation's marked and added findings as rule cases, one JSON object a line."""
    _django()
    from chizai.core.models import Organization
    from chizai.review.feedback import export_examples

    organization = Organization.objects.filter(slug=org).first()
    if organization is None:
        typer.echo(f"No organisation with the short name {org!r}.", err=True)
        raise typer.Exit(2)
    with out.open("w", encoding="utf-8") as fh:
        n = export_examples(organization, fh)
    typer.echo(f"Wrote {n} example(s) to {out}.")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    own = {
        "review",
        "audit",
        "demo",
        "worker",
        "evidence",
        "search",
        "reindex",
        "upload",
        "rewrap-keys",
        "disclosure",
        "review-feedback",
    }
    if argv and not argv[0].startswith("-") and argv[0] not in own:
        _django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["chizai", *argv])
        return
    app(args=argv, prog_name="chizai")


if __name__ == "__main__":
    main()
