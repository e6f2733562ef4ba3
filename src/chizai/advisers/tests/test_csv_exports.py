"""R6: adviser exports (network figures) keep a client's free-text fields as text."""

import csv
import io

from chizai.advisers import services

from .conftest import engage, make_client


def test_network_csv_neutralises_an_industry_that_looks_like_a_formula(adviser, coordinator, support):
    client, owner = make_client("formula-co", industry='=HYPERLINK("http://evil.example")')
    engage(client, owner, adviser, support)
    rows = list(csv.reader(io.StringIO(services.network_csv(coordinator, support).lstrip("\ufeff"))))
    industries = [r[1] for r in rows if r[0] == "industry"]
    assert industries == ['\'=HYPERLINK("http://evil.example")']
