"""Assets, holders, reclassification, risk and readiness."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from chizai.core.models import AuditEvent
from chizai.register import risk, services
from chizai.register.models import Asset

TODAY = date(2026, 11, 22)


def test_create_and_update_are_audited_with_before_and_after(org, owner):
    asset = services.create_asset(owner, org, title_ja="切削条件", tags=["チタン", "切削", "チタン"])
    assert asset.tags == ["チタン", "切削"]
    services.update_asset(owner, org, asset.pk, title_ja="切削条件 改", documented=True)
    event = AuditEvent.objects.get(action="register.asset.update")
    assert event.changes == {
        "before": {"title_ja": "切削条件", "documented": False},
        "after": {"title_ja": "切削条件 改", "documented": True},
        "data": {"title": "切削条件 改"},  # what the audit page renders the summary from
    }
    assert AuditEvent.objects.get(action="register.asset.create").changes["after"]["title_ja"] == "切削条件"


def test_joint_result_needs_a_partner(org, owner):
    with pytest.raises(ValidationError) as info:
        services.create_asset(owner, org, title_ja="共同開発成果", origin="joint")
    assert "partner_name" in info.value.message_dict
    asset = services.create_asset(
        owner, org, title_ja="共同開発成果", origin="joint", partner_name="大手自動車株式会社"
    )
    assert asset.partner_name == "大手自動車株式会社"


def test_failed_flag_only_on_test_data(org, owner):
    with pytest.raises(ValidationError):
        services.create_asset(owner, org, title_ja="x", kind="know_how", failed_result=True)
    assert services.create_asset(owner, org, title_ja="x", kind="test_data", failed_result=True).failed_result


def test_viewer_and_adviser_cannot_create(org, people):
    for role in ("viewer", "adviser"):
        with pytest.raises(PermissionDenied):
            services.create_asset(people[role], org, title_ja="x")


def test_engineer_may_file_secret_but_not_reclassify(org, people):
    secret = services.create_asset(people["engineer"], org, title_ja="自分のノウハウ", classification="secret")
    assert services.get_asset(people["engineer"], org, secret.pk, "change") == secret
    with pytest.raises(Http404):
        services.get_asset(people["manager"], org, secret.pk)
    asset = services.create_asset(people["engineer"], org, title_ja="z", classification="internal")
    with pytest.raises(PermissionDenied):
        services.update_asset(people["engineer"], org, asset.pk, classification="public")


def test_moving_an_asset_to_secret_keeps_the_mover_named(org, people):
    asset = services.create_asset(people["owner"], org, title_ja="x", classification="internal")
    services.reclassify(people["manager"], org, [asset.pk], "secret")
    assert services.get_asset(people["manager"], org, asset.pk, "change") == asset
    with pytest.raises(Http404):
        services.get_asset(people["engineer"], org, asset.pk)


def test_creator_of_a_secret_asset_keeps_access(org, people):
    asset = services.create_asset(people["manager"], org, title_ja="極秘配合", classification="secret")
    assert services.get_asset(people["manager"], org, asset.pk, "change") == asset
    with pytest.raises(Http404):
        services.get_asset(people["engineer"], org, asset.pk)


def test_bulk_reclassify_is_all_or_nothing(org, people):
    owner = people["owner"]
    a = services.create_asset(owner, org, title_ja="a", classification="internal")
    b = services.create_asset(owner, org, title_ja="b", classification="internal")
    secret = services.create_asset(owner, org, title_ja="s", classification="secret")
    with pytest.raises(Http404):
        services.reclassify(people["manager"], org, [a.pk, b.pk, secret.pk], "confidential")
    assert set(Asset.objects.values_list("classification", flat=True)) == {"internal", "secret"}
    assert services.reclassify(people["manager"], org, [a.pk, b.pk], "confidential") == 2
    assert AuditEvent.objects.filter(action="register.asset.reclassify").count() == 2


def test_bulk_reclassify_from_the_list_page(org, people):
    a = services.create_asset(people["owner"], org, title_ja="a", classification="internal")
    client = Client()
    client.force_login(people["manager"])
    response = client.post(
        f"/o/{org.slug}/register/reclassify/", {"asset": [a.pk], "classification": "public", "confirm_lowering": "1"}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.classification == "public"


def _with_holders(org, owner, holders, **fields):
    asset = services.create_asset(owner, org, title_ja="熟練者の研削ノウハウ", **fields)
    for name, leaves in holders:
        services.add_holder(owner, org, asset.pk, name=name, leaves_on=leaves)
    return Asset.objects.prefetch_related("holders").get(pk=asset.pk)


def test_critical_asset_whose_sole_holder_retires_within_a_year_is_high_risk(org, owner):
    asset = _with_holders(
        org, owner, [("田中 匠", TODAY + timedelta(days=200))], business_value="high", documented=True
    )
    result = risk.succession_risk(asset, TODAY)
    assert result.level == "high" and result.score >= 70


def test_second_holder_staying_lowers_the_risk(org, owner):
    asset = _with_holders(
        org,
        owner,
        [("田中 匠", TODAY + timedelta(days=200)), ("若手 一人", None)],
        business_value="high",
        documented=True,
    )
    assert risk.succession_risk(asset, TODAY).level == "medium"
    asset = _with_holders(org, owner, [("a", None), ("b", None)], business_value="low", documented=True)
    assert risk.succession_risk(asset, TODAY).level == "low"


def test_undocumented_asset_is_told_to_document_first(org, owner):
    from django.utils import translation

    asset = _with_holders(org, owner, [("a", None)], documented=False)
    with translation.override("en"):
        assert "Document" in risk.succession_risk(asset, TODAY).next_step


def test_trade_secret_readiness_lists_what_is_missing(org, owner):
    asset = services.create_asset(
        owner,
        org,
        title_ja="x",
        classification="confidential",
        ts_marked=True,
        ts_access_restricted=True,
        ts_listed=True,
        ts_useful=True,
    )
    result = risk.trade_secret_readiness(asset)
    assert result.status == "partial" and len(result.missing) == 1 and "not publicly known" in result.missing[0]
    services.update_asset(owner, org, asset.pk, ts_not_public=True)
    assert risk.trade_secret_readiness(Asset.objects.get(pk=asset.pk)).status == "ready"
    assert (
        risk.trade_secret_readiness(services.create_asset(owner, org, title_ja="p", classification="public")).status
        == "not_applicable"
    )


def test_list_filters(org, owner):
    soon = TODAY - timedelta(days=1)
    a = services.create_asset(owner, org, title_ja="金型A", kind="mould_drawing", tags=["金型"], next_review=soon)
    b = services.create_asset(owner, org, title_ja="配合B", kind="recipe", origin="joint", partner_name="X社")
    services.add_holder(owner, org, b.pk, name="佐々木")
    ids = lambda **f: {x.pk for x in services.filter_assets(owner, org, today=TODAY, **f)}  # noqa: E731
    assert ids(kind="mould_drawing") == {a.pk}
    assert ids(origin="joint") == {b.pk}
    assert ids(tag="金型") == {a.pk}
    assert ids(holder="佐々木") == {b.pk}
    assert ids(review_due=True) == {a.pk}
    assert ids(risk="high") == {a.pk}  # nobody holds it and it is undocumented


def test_pages_render_in_both_languages(org, owner):
    asset = services.create_asset(owner, org, title_ja="図面管理", title_en="Drawing control")
    client = Client()
    client.force_login(owner)
    for lang in ("ja", "en"):
        for path in ("", "new/", "search/?q=図面", "risks/", "import/", f"{asset.pk}/", f"{asset.pk}/edit/"):
            response = client.get(f"/o/{org.slug}/register/{path}", HTTP_ACCEPT_LANGUAGE=lang)
            assert response.status_code == 200, (path, lang)


def test_empty_register_shows_the_empty_state(org, owner):
    client = Client()
    client.force_login(owner)
    assert "empty-state" in client.get(f"/o/{org.slug}/register/").content.decode()


def test_create_through_the_web_form(org, owner):
    client = Client()
    client.force_login(owner)
    response = client.post(
        f"/o/{org.slug}/register/new/",
        {
            "title_ja": "熱処理条件",
            "kind": "process_conditions",
            "origin": "background",
            "classification": "confidential",
            "protection_strategy": "keep_secret",
            "business_value": "high",
            "tags": "熱処理, 焼入れ",
        },
    )
    assert response.status_code == 302
    assert Asset.objects.get(title_ja="熱処理条件").tags == ["熱処理", "焼入れ"]


def test_detail_shows_the_asset_audit_trail_to_managers_only(org, people):
    import io

    asset = services.create_asset(people["owner"], org, title_ja="図面X", classification="internal")
    services.upload_version(people["owner"], org, asset.pk, io.BytesIO(b"abc"), name="x.txt")
    manager, engineer = Client(), Client()
    manager.force_login(people["manager"])
    engineer.force_login(people["engineer"])
    page = manager.get(f"/o/{org.slug}/register/{asset.pk}/").content.decode()
    assert "register.asset.create" in page and "register.version.upload" in page
    assert "register.asset.create" not in engineer.get(f"/o/{org.slug}/register/{asset.pk}/").content.decode()


def test_risk_page_groups_know_how_by_retirement_year(org, owner):
    leaving = _with_holders(org, owner, [("山本 勝", date(2027, 3, 31))], business_value="high")
    _with_holders(org, owner, [("若手", None)])
    client = Client()
    client.force_login(owner)
    page = client.get(f"/o/{org.slug}/register/risks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>2027</td>" in page and leaving.title_ja in page
