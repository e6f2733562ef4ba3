"""``chizai backup DEST``: database, stored objects, audit marks, keys and a SHA-256 manifest (see core/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chizai.core.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a complete backup into the new folder DEST: the database (pg_dump or the SQLite online backup), "
        "every stored object, the audit high-water marks, the keys kept in CHIZAI_HOME (keys from the environment "
        "only with --include-keys) and manifest.json with the SHA-256 of every file."
    )

    def add_arguments(self, parser):
        parser.add_argument("dest", type=Path, help="A new (or empty) folder; it is created with mode 0700.")
        parser.add_argument(
            "--include-keys",
            action="store_true",
            help="Also write keys that come from the environment (CHIZAI_MASTER_KEY, CHIZAI_SECRET_KEY "
            "and their fallbacks). Without it they must be kept off-site separately.",
        )

    def handle(self, *args, dest: Path, include_keys: bool, **options):
        try:
            manifest = backup(dest, include_keys=include_keys, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        left_out = manifest["keys"]["not_included"]
        self.stdout.write(f"Backup written to {Path(dest).resolve()} ({len(manifest['files'])} files).")
        if left_out:
            self.stderr.write(
                f"Keys NOT in this backup: {', '.join(left_out)}. Keep them off-site: without the master "
                "key no file can be read, without the secret key `chizai audit verify` fails."
            )
