"""schemathesis generates requests for every operation of the OpenAPI schema and sends them
with a real token to the app in process: no response may be a 5xx or break its schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from chizai.core import services


@pytest.fixture
def api_schema(db):
    from django.core import signals
    from django.db import close_old_connections

    from chizai.wsgi import application

    # Like Django's test client: the real WSGI handler would close the test transaction's
    # connection at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(org, owner):
    _token, secret = services.create_api_token(owner, name="schemathesis")
    return secret


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_answers_without_server_errors_and_within_its_schema(case, token, org):
    if "slug" in (case.path_parameters or {}):
        case.path_parameters["slug"] = org.slug  # reach the real code paths, not only the 404
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error, response_schema_conformance]
    )
