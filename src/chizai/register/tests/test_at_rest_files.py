"""R5 on a real embedded installation: an existing database with plaintext is converted by
the migrations, nothing readable is left in the database file or its write-ahead log, and
the data files are private to their owner.

Runs one fresh process (settings read CHIZAI_HOME once, at start), because the test
database of the other tests lives in memory, without files, modes or a WAL.
"""

import json
import os
import stat
import subprocess
import sys

import pytest
from django.db import connection

OLD_MARKER = "Oldplaintextmarker"
OLD_JA = "鰆旧平文秘伝"
NEW_MARKER = "Newplaintextmarker"
NEW_JA = "鰹新規極秘配合"

SCRIPT = r"""
import io, json, os, sys
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OLD_MARKER, OLD_JA, NEW_MARKER, NEW_JA = sys.argv[1:5]
home = Path(os.environ["CHIZAI_HOME"])
for app in ("contenttypes", "auth", "core"):
    call_command("migrate", app, verbosity=0)
call_command("migrate", "register", "0004", verbosity=0)
call_command("migrate", "review", "0002", verbosity=0)

from django.contrib.auth import get_user_model
from chizai.core import services as core_services
User = get_user_model()
owner = User.objects.create(username="owner-r5")
engineer = User.objects.create(username="engineer-r5")
org = core_services.create_organization(owner, slug="r5", name_ja="R5工業")
core_services.add_member(owner, org, engineer, "engineer")

# The old layout, written the way the old code wrote it: plaintext text and tokens.
old = MigrationExecutor(connection).loader.project_state(
    [("register", "0004_chunk_classification"), ("review", "0002_sealed_source")]).apps
Asset = old.get_model("register", "Asset")
asset = Asset.objects.create(organization_id=org.pk, title_ja="旧い極秘資料", classification="secret")
text = f"旧い資料の本文 {OLD_MARKER} と {OLD_JA} を含む"
from chizai.register import search
old.get_model("register", "SearchChunk").objects.create(
    organization_id=org.pk, asset_id=asset.pk, level="text", text=text, tokens=" ".join(search.tokens(text)))
old.get_model("review", "ContractReview").objects.create(
    organization_id=org.pk, title="旧契約", filename="old.txt", text=f"第1条 {OLD_JA} {OLD_MARKER}", content_sha256="0" * 64,
    status="done", report={"findings": [{"rule_id": "X", "text": OLD_JA}], "summary": ""})

call_command("migrate", verbosity=0)

from django.conf import settings
settings.CHIZAI_REVIEW_INLINE_CHARS = 0  # stored, not run: the engine is not what this checks
from chizai.register import services
from chizai.review import services as review_services
from chizai.review.tests.test_review_web import NDA_JA
from chizai.review.models import ContractReview
out = {}
out["old_owner"] = [h.asset_id for h in services.search_assets(owner, org, OLD_JA[1:4])]
out["old_engineer"] = [h.asset_id for h in services.search_assets(engineer, org, OLD_JA[1:4])]
out["old_asset"] = asset.pk
out["old_review_text"] = ContractReview.objects.get(title="旧契約").text
out["old_review_quote"] = ContractReview.objects.get(title="旧契約").report["findings"][0]["text"]

secret = services.create_asset(owner, org, title_ja="新しい極秘資料", classification="secret")
services.upload_version(owner, org, secret.pk, io.BytesIO(f"{NEW_MARKER} {NEW_JA}".encode()), name="new.txt")
services.index_asset(secret.pk)
review_services.submit_review(owner, org, filename="nda.txt", text=NDA_JA + f"\n第9条 {NEW_JA} {NEW_MARKER}\n")
out["new_owner"] = [h.asset_id for h in services.search_assets(owner, org, NEW_MARKER)]
out["new_engineer"] = [h.asset_id for h in services.search_assets(engineer, org, NEW_MARKER)]
out["new_asset"] = secret.pk

# Read while the connection is open: closing the last one folds the WAL into the file.
out["raw"] = {name: (home / name).read_bytes().hex() for name in
              ("chizai.sqlite3", "chizai.sqlite3-wal", "chizai.sqlite3-shm") if (home / name).exists()}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    if connection.vendor != "sqlite":
        pytest.skip("the embedded tier's files; PostgreSQL rows are checked in test_at_rest")
    home = tmp_path_factory.mktemp("r5") / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("CHIZAI_DATABASE_URL", "CHIZAI_STORAGE")}
    env.update(CHIZAI_HOME=str(home), CHIZAI_SECRET_KEY="test-only", DJANGO_SETTINGS_MODULE="chizai.settings")
    old_umask = os.umask(0o022)  # what a default login gives: files 0644 unless the code says otherwise
    try:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, OLD_MARKER, OLD_JA, NEW_MARKER, NEW_JA],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
    finally:
        os.umask(old_umask)
    assert done.returncode == 0, done.stderr[-3000:]
    return home, json.loads(done.stdout.strip().splitlines()[-1])


def test_converted_and_new_text_is_found_but_not_readable_in_the_files(embedded):
    home, out = embedded
    assert out["old_owner"] == [out["old_asset"]] and out["old_engineer"] == []
    assert out["new_owner"] == [out["new_asset"]] and out["new_engineer"] == []
    assert OLD_JA in out["old_review_text"] and out["old_review_quote"] == OLD_JA
    assert "chizai.sqlite3-wal" in out["raw"]
    for name, raw in out["raw"].items():
        data = bytes.fromhex(raw)
        for marker in (OLD_MARKER, OLD_JA, NEW_MARKER, NEW_JA):
            for form in (marker, marker.lower()):
                assert form.encode() not in data, (name, form)


def test_data_files_and_folders_are_private(embedded):
    home, _out = embedded
    mode = lambda path: stat.S_IMODE(path.stat().st_mode)  # noqa: E731
    assert mode(home) == 0o700
    for name in ("chizai.sqlite3", "chizai.sqlite3-wal", "chizai.sqlite3-shm", "master_key", "secret_key"):
        if (home / name).exists():
            assert mode(home / name) == 0o600, name
    stored = list((home / "files").rglob("*"))
    assert any(p.is_file() for p in stored)
    assert mode(home / "files") == 0o700
    for path in stored:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_existing_wider_modes_are_narrowed_at_start(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    for name in ("chizai.sqlite3", "chizai.sqlite3-wal"):
        (home / name).write_bytes(b"")
        os.chmod(home / name, 0o644)
    (home / "files").mkdir()
    os.chmod(home / "files", 0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("CHIZAI_DATABASE_URL", "CHIZAI_STORAGE")}
    env.update(CHIZAI_HOME=str(home), CHIZAI_SECRET_KEY="test-only", DJANGO_SETTINGS_MODULE="chizai.settings")
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "files").stat().st_mode) == 0o700
    for name in ("chizai.sqlite3", "chizai.sqlite3-wal"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name
