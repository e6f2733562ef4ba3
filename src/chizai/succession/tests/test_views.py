"""The succession pages through the test client: the grid (POST-redirect-GET, only changed
cells), the Excel preview then confirm, and a plan from creation to sign-off."""

import io
from datetime import timedelta

import openpyxl
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from chizai.core.models import AuditEvent
from chizai.register import services as register_services
from chizai.succession import excel, services
from chizai.succession.models import CapturePlan, OjtSession


def login(user, language="en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def url(name, org, *args):
    return reverse(name, args=[org.slug, *args])


def test_grid_shows_marks_in_japanese_and_a_select_per_cell(org, owner, members, small_map):
    body = login(owner, "ja").get(url("succession", org)).content.decode()
    assert "星取表" in body and 'name="cell-' in body and "◎" in body
    viewer = login(members["viewer"]).get(url("succession", org)).content.decode()
    assert 'name="cell-' not in viewer and "can teach" in viewer  # words in English, no form


def test_grid_post_writes_only_the_changed_cell_then_redirects(org, owner, small_map):
    m = small_map
    grid = services.grid(owner, org)
    form = {f"cell-{p.pk}-{s.pk}": str(grid.level(p.pk, s.pk)) for p in grid.people for s in grid.skills}
    form[f"cell-{m['young'].pk}-{m['cutting'].pk}"] = "2"
    before = AuditEvent.objects.filter(action="succession.level.set").count()
    response = login(owner).post(url("succession", org), form)
    assert response.status_code == 302 and response["Location"] == url("succession", org)
    assert AuditEvent.objects.filter(action="succession.level.set").count() == before + 1


def test_viewers_cannot_post_levels(org, members, small_map):
    m = small_map
    response = login(members["viewer"]).post(url("succession", org), {f"cell-{m['young'].pk}-{m['cutting'].pk}": "3"})
    assert response.status_code == 403
    assert services.grid(members["viewer"], org).level(m["young"].pk, m["cutting"].pk) == 1


def test_excel_preview_then_confirm(org, owner, small_map):
    with translation.override("ja"):
        book = openpyxl.load_workbook(io.BytesIO(excel.export_map(owner, org)))
    book.active["D5"] = "◎"
    book.active["A9"] = "誰か"
    data = io.BytesIO()
    book.save(data)
    client = login(owner)
    bad = client.post(url("succession_import", org), {"file": _upload(data.getvalue())})
    assert bad.status_code == 400 and "A9" in bad.content.decode() and "import-confirm" not in bad.content.decode()
    assert client.post(url("succession_import_confirm", org)).status_code == 302  # nothing pending
    assert services.grid(owner, org).level(small_map["young"].pk, small_map["cutting"].pk) == 1
    book.active["A9"] = None
    data = io.BytesIO()
    book.save(data)
    good = client.post(url("succession_import", org), {"file": _upload(data.getvalue())})
    body = good.content.decode()
    assert good.status_code == 200 and "D5" in body and "import-confirm" in body
    assert services.grid(owner, org).level(small_map["young"].pk, small_map["cutting"].pk) == 1
    done = client.post(url("succession_import_confirm", org))
    assert done.status_code == 302
    assert services.grid(owner, org).level(small_map["young"].pk, small_map["cutting"].pk) == 3
    assert client.post(url("succession_import_confirm", org)).status_code == 302  # used once
    assert services.grid(owner, org).level(small_map["young"].pk, small_map["cutting"].pk) == 3


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("map.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_plan_from_creation_to_sign_off(org, owner, small_map):
    m = small_map
    client = login(owner)
    page = client.get(url("succession_plans", org)).content.decode()
    assert "Cutting conditions" in page and url("succession_plan_new", org, m["cutting"].asset_id) in page
    response = client.post(
        url("succession_plan_new", org, m["cutting"].asset_id),
        {
            "holder": m["veteran"].pk,
            "successors": [m["young"].pk],
            "target_level": 2,
            "started_on": m["today"].isoformat(),
            "target_on": (m["today"] + timedelta(days=180)).isoformat(),
        },
    )
    plan = CapturePlan.objects.get()
    assert response.status_code == 302 and response["Location"] == url("succession_plan", org, plan.pk)
    session = {
        "held_on": m["today"].isoformat(),
        "held": "on",
        "hours": "3",
        "covered": "治具の段取り",
        "notes": "締付順",
    }
    assert client.post(url("succession_plan_session", org, plan.pk), session).status_code == 302
    assert OjtSession.objects.get().notes == "締付順"
    client.post(url("succession_plan_answers", org, plan.pk), {"cue_sense": "切粉の色"})
    client.post(url("succession_plan_signoff", org, plan.pk))
    body = client.get(url("succession_plan", org, plan.pk)).content.decode()
    assert 'role="img"' in body and "切粉の色" in body and "山本 勝</span> ·" in body
    bad = client.post(url("succession_plan_session", org, plan.pk), {"held_on": "", "hours": "99"})
    assert bad.status_code == 400


def test_people_and_columns_pages(org, owner, members, small_map):
    client = login(owner)
    assert client.post(url("succession_people", org), {"name": "新人 一郎", "team": "加工課"}).status_code == 302
    assert client.post(url("succession_people", org), {"name": "新人 一郎"}).status_code == 400  # twice
    person = services.people(owner, org).get(name="新人 一郎")
    assert (
        client.post(url("succession_person", org, person.pk), {"name": "新人 一郎", "team": "検査課"}).status_code
        == 302
    )
    assert login(members["viewer"]).get(url("succession_person", org, person.pk)).status_code == 403


def test_register_risk_page_orders_by_months_to_leave_over_criticality(org, owner):
    """A medium asset whose holder leaves next month (1 / 2) comes before a critical one whose
    holder leaves in 11 months (11 / 3), though the critical one scores higher."""
    today = timezone.localdate()
    for title, value, days in (
        ("中・1か月", "medium", 30),
        ("高・11か月", "high", 335),
        ("退職予定なし", "high", None),
    ):
        asset = register_services.create_asset(owner, org, title_ja=title, business_value=value)
        leaves_on = today + timedelta(days=days) if days else None
        register_services.add_holder(owner, org, asset.pk, name=f"{title}の人", leaves_on=leaves_on)
    body = login(owner, "ja").get(reverse("register_risks", args=[org.slug])).content.decode()
    table = body[: body.index("中・1か月の人")]  # the by-person list further down names them again
    assert table.index("中・1か月") < table.index("高・11か月") < table.index("退職予定なし")


def test_notes_and_answers_only_for_those_who_may_read_the_asset(org, owner, members, small_map):
    """A viewer sees that an internal plan exists, not the veteran's notes or answers."""
    from chizai.succession import plans

    m = small_map
    plan = plans.create_plan(
        owner,
        org,
        m["grinding"].asset_id,
        holder_id=m["veteran"].pk,
        successor_ids=[m["young"].pk],
        target_on=m["today"] + timedelta(days=60),
    )
    plans.add_session(owner, org, plan.pk, held_on=m["today"], hours=1, covered="砥石の目立て", notes="音で判断")
    plans.save_answers(owner, org, plan.pk, {"cue_sense": "火花の色"})
    assert "火花の色" in login(owner).get(url("succession_plan", org, plan.pk)).content.decode()
    body = login(members["viewer"]).get(url("succession_plan", org, plan.pk)).content.decode()
    assert "Grinding steps" in body and "音で判断" not in body and "火花の色" not in body and "砥石の目立て" not in body


def test_grid_refuses_cells_it_cannot_read_and_writes_nothing(org, owner, small_map):
    m = small_map
    good = f"cell-{m['young'].pk}-{m['cutting'].pk}"
    for form in ({good: "3", f"cell-{m['other'].pk}-x": "2"}, {good: "abc"}, {good: "３"}, {good: "4"}):
        response = login(owner).post(url("succession", org), form)
        assert response.status_code == 302
        assert services.grid(owner, org).level(m["young"].pk, m["cutting"].pk) == 1, form
