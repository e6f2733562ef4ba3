from datetime import date

from django.test import Client

from chizai.core import services as core_services
from chizai.deals import services
from chizai.disclosure.models import Partner


def test_ledger_worksheet_stakeholders_and_brief_over_the_api(org, owner, members):
    partner = Partner.objects.create(organization=org, name_ja="大手輸送機器株式会社")
    deal = services.create_deal(owner, org, partner=partner, title="軽量ブラケット共同開発")
    services.add_stakeholder(owner, deal, name="田中部長", role="購買部長")
    _token, secret = core_services.create_api_token(owner, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    base = f"/api/orgs/{org.slug}/deals/{deal.pk}"
    response = client.post(
        f"{base}/contributions",
        {
            "party": "ours",
            "kind": "hours",
            "made_on": date.today().isoformat(),
            "description": "加工条件の試験 120時間",
            "value": 600000,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    ledger = response.json()
    assert ledger["entries"][0]["value"] == 600000 and ledger["shares"]
    assert sum(float(v) for v in ledger["shares"].values()) == 1.0
    assert client.get(f"{base}/worksheet").json() == {"lines": [], "goods_yen": 0, "knowledge_yen": 0}
    assert [s["name"] for s in client.get(f"{base}/stakeholders").json()] == ["田中部長"]
    brief = client.get(f"{base}/brief.pdf?lang=en")
    assert brief.status_code == 200 and brief.content.startswith(b"%PDF")
    _token, viewer_secret = core_services.create_api_token(members["viewer"], name="t")
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {viewer_secret}").post(
        f"{base}/contributions",
        {"party": "ours", "kind": "hours", "made_on": "2026-01-01", "description": "x", "value": 1},
        content_type="application/json",
    )
    assert refused.status_code == 404
