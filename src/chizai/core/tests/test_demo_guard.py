"""The demo (users with a published password) is refused on a production tier and beside real data."""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from chizai.core import demo
from chizai.core.models import Organization

ROOT = Path(__file__).resolve().parents[4]
CHIZAI = str(Path(sys.executable).with_name("chizai"))


def test_refused_in_production(settings, db):
    settings.PRODUCTION = True
    with pytest.raises(demo.DemoRefused, match="CHIZAI_PRODUCTION=1"):
        demo.load_demo()
    assert not Organization.objects.exists()
    assert not get_user_model().objects.filter(username="owner").exists()


def test_refused_beside_real_organisations_on_postgresql(db, org, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        # the rule is about PostgreSQL; on a SQLite run, let the demo believe it is on one
        monkeypatch.setattr(demo, "connection", SimpleNamespace(vendor="postgresql"))
    with pytest.raises(demo.DemoRefused, match=f"{org.slug}.*--force"):
        demo.load_demo()
    assert not Organization.objects.filter(slug="sample-seiko").exists()


def test_demo_organisations_alone_do_not_count_as_real(db, monkeypatch):
    from chizai.core.tests.factories import OrganizationFactory

    monkeypatch.setattr(demo, "connection", SimpleNamespace(vendor="postgresql"))
    OrganizationFactory(slug="sample-seiko")
    OrganizationFactory(slug="ise-koki")
    assert demo.demo_refusal() is None


def test_sqlite_beside_other_organisations_is_allowed(db, org, monkeypatch):
    monkeypatch.setattr(demo, "connection", SimpleNamespace(vendor="sqlite"))
    assert demo.demo_refusal() is None  # the embedded tier is where people try chizai out


def test_force_overrides(settings, db, monkeypatch):
    settings.PRODUCTION = True
    monkeypatch.setattr(demo, "PART_LOADERS", [])  # the parts' content is not what this is about
    demo.load_demo(force=True)
    assert Organization.objects.filter(slug="sample-seiko").exists()


@pytest.mark.slow
def test_the_demo_command_refuses_in_production_and_touches_nothing(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CHIZAI_", "DJANGO_"))}
    environ.update({"CHIZAI_PRODUCTION": "1", "CHIZAI_HOME": str(tmp_path), "CHIZAI_SECRET_KEY": "s" * 50})
    result = subprocess.run(
        [CHIZAI, "demo", "--no-serve"], env=environ, capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "CHIZAI_PRODUCTION=1" in result.stderr and "--force" in result.stderr
    assert "Traceback" not in result.stderr
    database = tmp_path / "chizai.sqlite3"
    assert not database.exists() or database.stat().st_size == 0  # not even migrated
