"""``chizai restore SRC``: check a backup against its manifest, restore it, then verify the audit chains."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chizai.core.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `chizai backup`: every file is checked against manifest.json first; the target "
        "database and file storage must be empty (or --force); keys found in the backup are written into "
        "CHIZAI_HOME when the installation reads them from there; finally `chizai audit verify` runs. "
        "Stop the web server and the workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("src", type=Path, help="The backup folder.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a non-empty database and same-named stored objects; go on when a configured "
            "key differs from the backup's (the audit check will then say what fails).",
        )
        parser.add_argument("--no-verify", action="store_true", help="Skip `chizai audit verify` at the end.")

    def handle(self, *args, src: Path, force: bool, no_verify: bool, **options):
        try:
            report = restore(src, force=force, verify=not no_verify, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        for aside in report.moved_aside:
            self.stdout.write(f"kept the replaced file as {aside}")
        if report.verify_ok is False:
            raise CommandError("Restored, but the audit chain does not verify (see above).", returncode=1)
        self.stdout.write("Restore complete." + (" Audit chain verified." if report.verify_ok else ""))
