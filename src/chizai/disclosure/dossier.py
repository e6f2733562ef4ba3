"""The partner dossier: everything disclosed to one partner, as PDF and CSV, for a dispute.

Reproducible byte for byte from the same data: rows are sorted, the PDF is written by
reportlab in invariant mode (fixed document id and dates), and the only date printed is
taken from the data (the newest audit event in the excerpt), never from the clock.
"""

from __future__ import annotations

import io

from chizai import pdfkit
from chizai.core import audit, exports
from chizai.core.models import AuditEvent
from chizai.disclosure.models import Agreement, Disclosure, HandoverCopy

CSV_COLUMNS = [
    "disclosure",
    "date",
    "status",
    "stage",
    "method",
    "agreement",
    "agreement_status",
    "purpose",
    "item",
    "classification",
    "item_sha256",
    "recipients",
    "approver",
    "second_person",
    "override_reason",
    "return_due_on",
    "returned_on",
    "destroyed_on",
    "certificate_received_on",
    "copies",
    "requested_classification",
]


def collect(organization, partner) -> dict:
    disclosures = list(
        Disclosure.objects.filter(organization=organization, partner=partner)
        .select_related("agreement", "approver", "second_person")
        .prefetch_related("items", "recipients")
        .order_by("disclosed_on", "pk")
    )
    agreements = list(Agreement.objects.filter(organization=organization, partner=partner).order_by("pk"))
    copies = list(
        HandoverCopy.objects.filter(organization=organization, disclosure__partner=partner)
        .select_related("recipient", "item")
        .order_by("disclosure_id", "pk")
    )
    ids = {
        "disclosure.disclosure": {str(d.pk) for d in disclosures},
        "disclosure.agreement": {str(a.pk) for a in agreements},
        "disclosure.handovercopy": {str(c.pk) for c in copies},
        "disclosure.partner": {str(partner.pk)},
    }
    events = [
        e
        for e in AuditEvent.objects.filter(chain=audit.chain_name(organization), object_type__in=list(ids)).order_by(
            "seq"
        )
        if e.object_id in ids[e.object_type]
    ]
    return {"disclosures": disclosures, "agreements": agreements, "copies": copies, "events": events}


def rows(data: dict) -> list[list[str]]:
    by_disclosure: dict[int, list[HandoverCopy]] = {}
    for c in data["copies"]:
        by_disclosure.setdefault(c.disclosure_id, []).append(c)
    out = []
    for d in data["disclosures"]:
        items = list(d.items.all()) or [None]
        recipients = "; ".join(r.name for r in d.recipients.all())
        for item in items:
            copies = [c for c in by_disclosure.get(d.pk, []) if item is not None and c.item_id == item.pk]
            out.append(
                [
                    d.reference,
                    d.disclosed_on.isoformat(),
                    d.status,
                    d.stage,
                    d.method,
                    f"{d.agreement.type} #{d.agreement.pk}" if d.agreement else "",
                    d.agreement.status if d.agreement else "",
                    d.purpose,
                    _item_name(item, data.get("visible_assets")),
                    item.classification if item else "",
                    item.sha256 if item else "",
                    recipients,
                    d.approver.get_username() if d.approver else "",
                    d.second_person.get_username() if d.second_person else "",
                    d.override_reason,
                    _iso(d.return_due_on),
                    _iso(d.returned_on),
                    _iso(d.destroyed_on),
                    _iso(d.certificate_received_on),
                    " ".join(f"{c.recipient.name}:{c.sha256}" for c in copies),
                    item.requested_classification if item else "",
                ]
            )
    return out


def _item_name(item, visible) -> str:
    """The item's name, unless its asset is hidden from the reader in the register (its hash stays)."""
    if item is None:
        return ""
    if item.asset_id and visible is not None and item.asset_id not in visible:
        return f"[{item.classification} asset #{item.asset_id}]"
    if item.title and item.description and item.title != item.description:
        return f"{item.title} ({item.description})"
    return item.description or item.title


def _iso(day) -> str:
    return day.isoformat() if day else ""


def build_csv(organization, partner, data: dict | None = None) -> bytes:
    data = data or collect(organization, partner)
    buf = io.StringIO()
    writer = exports.csv_writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows(data))
    writer.writerow([])
    writer.writerow(["audit_seq", "audit_time", "actor", "action", "object", "hash", "prev_hash"])
    for e in data["events"]:
        writer.writerow(
            [
                e.seq,
                e.created_at.isoformat(),
                e.actor_username,
                e.action,
                f"{e.object_type}:{e.object_id}",
                e.hash,
                e.prev_hash,
            ]
        )
    # BOM so that Excel on a Japanese Windows opens it as UTF-8.
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def build_pdf(organization, partner, data: dict | None = None) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    data = data or collect(organization, partner)
    font = pdfkit.japanese_font()
    width, height = landscape(A4)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=1, pageCompression=1)
    c.setTitle(f"Disclosure dossier: {partner.name_ja}")
    c.setAuthor(organization.name_ja)
    c.setCreator("chizai")
    c.setProducer("chizai")
    as_of = data["events"][-1].created_at.strftime("%Y-%m-%d %H:%M UTC") if data["events"] else "-"
    state = {"y": height - 40, "page": 1}

    def line(text: str, size: int = 8, gap: float = 11):
        if state["y"] < 40:
            c.setFont(font, 7)
            c.drawString(36, 20, f"{organization.name_ja} / {partner.name_ja} — p.{state['page']}")
            c.showPage()
            state["page"] += 1
            state["y"] = height - 40
        c.setFont(font, size)
        c.drawString(36, state["y"], exports.clean_text(text)[:180])
        state["y"] -= gap

    line(f"開示記録 / Disclosure dossier — {partner.name_ja} {partner.name_en}", 14, 20)
    line(f"{organization.name_ja}   as of {as_of}   {len(data['disclosures'])} disclosure(s)", 9, 16)
    line("契約 / Agreements", 11, 15)
    for a in data["agreements"]:
        line(
            f"#{a.pk} {a.type} {a.title} — {a.status}, {a.direction}, {_iso(a.effective_on)} – {_iso(a.expires_on)}, "
            f"file sha256 {a.file_sha256 or '-'}"
        )
    line("", 8, 6)
    line("開示 / Disclosures", 11, 15)
    for r in rows(data):
        classification = r[9] if r[20] in ("", r[9]) else f"{r[9]}; requested as {r[20]}"
        line(f"{r[0]} {r[1]} [{r[2]}] {r[3]}/{r[4]} {r[5]} — {r[8]} ({classification}) sha256 {r[10] or '-'}")
        line(
            f"     to: {r[11]}  approver: {r[12] or '-'}  second: {r[13] or '-'}  override: {r[14] or '-'}  "
            f"return due {r[15] or '-'} returned {r[16] or '-'} destroyed {r[17] or '-'} certificate {r[18] or '-'}"
        )
        for copy in r[19].split():
            line(f"     copy {copy}", 7, 9)
    line("", 8, 6)
    line("監査ログ抜粋 / Audit-chain excerpt", 11, 15)
    for e in data["events"]:
        line(
            f"seq {e.seq} {e.created_at.strftime('%Y-%m-%d %H:%M:%S')} {e.actor_username} {e.action} "
            f"{e.object_type}:{e.object_id} hash {e.hash}",
            7,
            9,
        )
    c.setFont(font, 7)
    c.drawString(36, 20, f"{organization.name_ja} / {partner.name_ja} — p.{state['page']}")
    c.showPage()
    c.save()
    return buf.getvalue()
