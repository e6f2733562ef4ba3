import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_runs_on_the_database_it_was_given():
    """`make test` runs once on SQLite and once on PostgreSQL (CHIZAI_TEST_DATABASE_URL)."""
    expected = "postgresql" if os.environ.get("CHIZAI_DATABASE_URL") else "sqlite"
    assert connection.vendor == expected
