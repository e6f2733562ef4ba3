"""Reviews as a service: submit, run (in the request when small, in the worker when not),
compare versions, export. The analysis is delegated to the pure `chizai.review.engine`.
"""

from __future__ import annotations

import difflib
import hashlib

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from chizai.core import audit, jobs
from chizai.core.access import NotFound, require, same_organization
from chizai.core.models import Job
from chizai.core.services import ChizaiError
from chizai.core.storage import StorageUnavailable
from chizai.register.atrest import sealed_columns
from chizai.review import changes
from chizai.review.engine import ReviewInputError  # the engine package imports only its data classes here
from chizai.review.input_errors import input_error_message
from chizai.review.models import ContractReview

#: above this many characters a review runs in the background worker with progress shown
INLINE_LIMIT_CHARS = getattr(settings, "CHIZAI_REVIEW_INLINE_CHARS", 40_000)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _engine_message(exc) -> str:
    return input_error_message(exc.code, exc.message)


def validate_input(data: bytes | str, filename: str, options: dict):
    """Read the contract once to refuse bad input before anything is stored.

    A scan is not read here: OCR takes seconds a page, so the request only checks that it
    can be read (Tesseract present, not protected, not too many pages) and returns None;
    the worker reads it with progress shown.
    """
    from chizai.review.engine import load_document, ocr
    from chizai.review.engine.extract import needs_ocr

    if isinstance(data, bytes) and len(data) > MAX_UPLOAD_BYTES:
        raise ChizaiError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    try:
        if isinstance(data, bytes) and needs_ocr(data, filename) and ocr.missing() is None:
            ocr.preflight(data, filename or "document")
            return None
        return load_document(
            data,
            filename,
            lang=options.get("lang", "auto"),
            sme=options.get("sme") or None,
            contract_type=options.get("type", "auto"),
        )
    except ReviewInputError as exc:
        raise ChizaiError(_engine_message(exc)) from exc


def submit_review(
    actor,
    organization,
    *,
    filename: str,
    data: bytes | None = None,
    text: str | None = None,
    title: str = "",
    contract_type: str = "auto",
    sme: str | None = None,
    lang: str = "auto",
    previous: ContractReview | None = None,
) -> ContractReview:
    """Store a contract for review and start the review. A second identical submission
    (same content and options) returns the first review instead of a duplicate."""
    require(actor, organization, "review", "add")
    if (data is None) == (text is None):
        raise ChizaiError(_("Upload a file or paste the text, not both."))
    source: bytes | str = data if data is not None else (text or "")
    options = {"type": contract_type or "auto", "sme": (sme or "").strip(), "lang": lang or "auto"}
    payload = source if isinstance(source, bytes) else source.encode("utf-8")
    digest = hashlib.sha256(payload + repr(sorted(options.items())).encode()).hexdigest()
    existing = (
        ContractReview.objects.restrict(actor, "view")
        .filter(organization=organization, content_sha256=digest)
        .exclude(status=ContractReview.Status.FAILED)
        .first()
    )
    if existing is not None:
        return existing
    same_organization(organization, previous)
    doc = validate_input(source, filename, options)
    stored = sealed = None
    if data is not None:
        from chizai.register.sealed import seal_bytes

        stored, sealed = seal_bytes(data, f"reviews/{organization.pk}", organization)
    try:
        with transaction.atomic():
            review = ContractReview(
                organization=organization,
                created_by=actor,
                title=(title or filename)[:200],
                filename=filename[:255],
                # text is a SealedField (a property Django accepts as a keyword); the plugin knows fields only
                content_sha256=digest,
                options=options,
                previous=previous,
                text=doc.text if doc is not None else "",  # type: ignore[misc]  # a scan: the worker fills it
            )
            if stored is not None and sealed is not None:
                review.source_storage_name, review.source_sha256 = stored, sealed.sha256
                review.source_key_id, review.source_wrapped_key = sealed.key_id, sealed.wrapped_key
            review.save()
            review.job = job = jobs.enqueue(
                actor, organization, "review.run", {"review_id": review.pk}, dedupe_key=f"review:{review.pk}"
            )
            review.save(update_fields=["job"])
            audit.record(
                actor,
                organization,
                "review.create",
                obj=review,
                summary=f"contract submitted for review: {review.title}",
                data={"title": review.title},
                changes={
                    "after": {"filename": filename, "options": options, "previous": previous.pk if previous else None}
                },
            )
    except Exception:
        if stored:  # nothing half-stored: the encrypted file goes with the failed transaction
            from chizai.register.sealed import discard

            discard(stored)
        raise
    if doc is not None and len(doc.text) <= INLINE_LIMIT_CHARS:
        jobs.execute(job.pk)  # small contracts: the answer comes with the response
        review.refresh_from_db()
    return review


def run_review_job(job: Job):
    """Job handler: run the engine on the stored contract and keep its report."""
    from chizai.review.engine import load_document, ocr, review_document
    from chizai.review.engine.extracted import capturing

    review = ContractReview.objects.get(pk=job.params["review_id"])
    ContractReview.objects.filter(pk=review.pk).update(status=ContractReview.Status.RUNNING)
    jobs.heartbeat(job, 10, "reading the contract")
    options = review.options
    if review.source_storage_name:
        from chizai.register.sealed import open_sealed

        try:
            source = open_sealed(
                review.source_storage_name,
                review.source_wrapped_key,
                review.source_key_id,
                review.source_sha256,
                review.organization_id,
            )
        except StorageUnavailable:
            ContractReview.objects.filter(pk=review.pk).update(
                status=ContractReview.Status.QUEUED,
                error=_("The file storage is unavailable; the review runs as soon as it is back."),
            )
            raise  # the job waits for the storage (jobs.OUTAGE_RETRY) without using up its attempts
    else:
        source = review.text

    def page_read(page: int, pages: int) -> None:  # a scan: OCR progress, page n of N, within 10-40 %
        jobs.heartbeat(job, 10 + 30 * page // max(1, pages), f"OCR: page {page} of {pages}")

    try:
        with ocr.reporting(page_read), capturing() as extracted:
            doc = load_document(
                source,
                review.filename,
                lang=options.get("lang", "auto"),
                sme=options.get("sme") or None,
                contract_type=options.get("type", "auto"),
            )
        jobs.heartbeat(job, 40, "checking the clauses")
        report = review_document(doc)
    except ReviewInputError as exc:  # the input itself is bad: retrying cannot help
        # the code and the engine's details are kept so that each reader sees the reason in their language
        options = {**(review.options or {}), "input_error": {"code": exc.code, "message": exc.message}}
        ContractReview.objects.filter(pk=review.pk).update(
            status=ContractReview.Status.FAILED, error=_engine_message(exc), options=options
        )
        return {"failed": exc.code}
    except Exception as exc:
        final = job.attempts >= job.max_attempts
        ContractReview.objects.filter(pk=review.pk).update(
            status=ContractReview.Status.FAILED if final else ContractReview.Status.QUEUED,
            error=(_("The review failed: %(error)s") if final else _("Attempt failed (%(error)s); it will be retried."))
            % {"error": f"{type(exc).__name__}: {exc}"[:500]},
        )
        raise
    data = report.to_dict()
    data["summary"] = report.summary
    data["disclaimer"] = report.disclaimer
    severities = [f["severity"] for f in data["findings"]]
    source_read = extracted[-1] if extracted and extracted[-1].text == doc.text else None
    # a scan: where each word sits on its page, so a finding can be shown boxed on the page
    layout = source_read.ocr.layout() if source_read is not None and source_read.ocr is not None else None
    if source_read is not None and source_read.revisions:  # a Word redline: what the counterparty changed
        jobs.heartbeat(job, 70, "reading the counterparty's changes")
        changes.annotate(data, doc, report, source_read.revisions, load_document, review_document)
    with transaction.atomic():
        ContractReview.objects.filter(pk=review.pk).update(
            status=ContractReview.Status.DONE,
            language=report.language,
            **sealed_columns(ContractReview, review.organization_id, report=data, text=doc.text, layout=layout),
            contract_types=report.contract_type,
            sme_party=report.sme_party or "",
            error="",
            high_count=severities.count("HIGH"),
            medium_count=severities.count("MEDIUM"),
            low_count=severities.count("LOW"),
        )
        audit.record(
            review.created_by,
            review.organization,
            "review.complete",
            obj=review,
            summary=f"review finished: {severities.count('HIGH')} high, {severities.count('MEDIUM')} medium, {severities.count('LOW')} low",
            data={
                "high": severities.count("HIGH"),
                "medium": severities.count("MEDIUM"),
                "low": severities.count("LOW"),
            },
        )
    return {"review_id": review.pk, "findings": len(severities)}


def record_view(actor, review: ContractReview) -> None:
    audit.record(
        actor,
        review.organization,
        "review.view",
        obj=review,
        summary=f"review opened: {review.title}",
        data={"title": review.title},
    )


def export_review(actor, review: ContractReview, fmt: str, lang: str | None = None) -> tuple[bytes, str, str]:
    """The report as a self-contained HTML page or a PDF with an embedded Japanese font; with
    ``lang`` (ja/en) in that one language whatever the contract's (review/summary.py)."""
    require(actor, review.organization, "review", "export")
    if review.status != ContractReview.Status.DONE:
        raise ChizaiError(_("The review is not finished yet."))
    from chizai.review.engine.render import render

    report = report_object(review)
    if lang in ("ja", "en"):
        from chizai.review import summary  # with the renderer: the engine's pipeline loads on export only

        report = summary.localize_report(report, lang)
    body = render([report], fmt)
    audit.record(
        actor, review.organization, "review.export", obj=review, summary=f"review exported as {fmt}", data={"fmt": fmt}
    )
    stem = review.filename.rsplit(".", 1)[0] or "review"
    data = body.encode("utf-8") if isinstance(body, str) else body
    if fmt == "pdf":
        return data, "application/pdf", f"{stem}-review.pdf"
    return data, "text/html; charset=utf-8", f"{stem}-review.html"


def report_object(review: ContractReview):
    """Rebuild the engine's Report from the stored JSON (for renderers)."""
    from chizai.review.engine.document import ChecklistResult, Document, Finding, Report

    data = review.report or {}
    findings = [
        Finding(
            rule_id=f["rule_id"],
            severity=f["severity"],
            title=f["title"],
            reason=f["reason"],
            basis=f["basis"],
            balanced=f["balanced"],
            question=f["question"],
            clause=f.get("clause"),
            span=tuple(f["span"]) if f.get("span") else None,
            text=f.get("text"),
            why=f.get("why"),
            quote=f.get("quote"),
            quote_span=tuple(f["quote_span"]) if f.get("quote_span") else None,
            parallel=f.get("parallel"),
        )
        for f in data.get("findings", [])
    ]
    checklist = [
        ChecklistResult(id=c["id"], item=c["item"], status=c["status"], clause=c.get("clause"))
        for c in data.get("checklist", [])
    ]
    report = Report(
        file=review.filename,
        language=data.get("language", "ja"),
        contract_type=data.get("contract_type", []),
        sme_party=data.get("sme_party"),
        findings=findings,
        checklist=checklist,
        elapsed_ms=data.get("elapsed_ms", 0.0),
        summary=data.get("summary", ""),
        disclaimer=data.get("disclaimer", ""),
        detection=data.get("detection"),
    )
    # the renderers highlight spans in the reviewed text; segments are not needed for that
    report.document = Document(text=review.text, norm=review.text, norm_to_orig=[], language=report.language)
    return report


def _finding_key(finding: dict) -> tuple[str, str]:
    return finding["rule_id"], (finding.get("text") or "").strip()[:120]


def compare(old: ContractReview, new: ContractReview) -> dict:
    """What the counterparty changed between two versions, and which findings came or went."""
    if old.organization_id != new.organization_id:
        raise NotFound()
    old_ids = {f["rule_id"] for f in old.findings}
    new_ids = {f["rule_id"] for f in new.findings}
    appeared = [f for f in new.findings if f["rule_id"] not in old_ids]
    gone = [f for f in old.findings if f["rule_id"] not in new_ids]
    old_keys = {_finding_key(f) for f in old.findings}
    moved = [f for f in new.findings if f["rule_id"] in old_ids and _finding_key(f) not in old_keys]
    diff = []
    matcher = difflib.SequenceMatcher(a=old.text.splitlines(), b=new.text.splitlines(), autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        diff.append({"op": tag, "removed": old.text.splitlines()[a0:a1], "added": new.text.splitlines()[b0:b1]})
    return {
        "appeared": appeared,
        "gone": gone,
        "changed_wording": moved,
        "text_changes": diff,
        "similarity": round(matcher.ratio(), 3),
    }


def open_questions(review: ContractReview) -> list[str]:
    """What the reviewer was unsure of ("sme", "type") and the user has not answered yet
    (an answer is a non-empty --sme / a --type other than auto in the review's options)."""
    if review.status != ContractReview.Status.DONE:
        return []
    uncertain = ((review.report or {}).get("detection") or {}).get("uncertain") or []
    options = review.options or {}
    return [
        q
        for q in uncertain
        if (q == "sme" and not options.get("sme")) or (q == "type" and options.get("type", "auto") == "auto")
    ]


def with_open_high_findings(user, organization):
    """Reviews ``user`` may view whose newest version (no later draft reviewed) still has high
    findings: what remains to negotiate before signing."""
    return ContractReview.objects.restrict(user, "view").filter(
        organization=organization, status=ContractReview.Status.DONE, next_versions__isnull=True, high_count__gt=0
    )


def commented_docx(actor, review: ContractReview, lang: str) -> tuple[bytes, str, str]:
    """The contract as a Word file with each finding as a comment in ``lang`` (ja|en) and the
    balanced wording as tracked insertions in the organisation's name (issue 15). A DOCX upload
    is annotated in place; any other source becomes a plain DOCX of the reviewed text."""
    require(actor, review.organization, "review", "export")
    if review.status != ContractReview.Status.DONE:
        raise ChizaiError(_("The review is not finished yet."))
    if lang not in ("ja", "en"):
        raise ChizaiError(_("Choose Japanese or English for the comments."))
    from chizai.review.engine.docx_out import commented_docx as build

    source = None
    if review.source_storage_name and review.filename.lower().endswith(".docx"):
        from chizai.register.sealed import open_sealed

        source = open_sealed(
            review.source_storage_name,
            review.source_wrapped_key,
            review.source_key_id,
            review.source_sha256,
            review.organization_id,
        )
    try:
        data = build(report_object(review), source=source, lang=lang, author=_org_name(review.organization, lang))
    except ReviewInputError as exc:
        raise ChizaiError(input_error_message(exc.code, exc.message)) from exc
    audit.record(
        actor,
        review.organization,
        "review.export",
        obj=review,
        summary=f"review exported as commented docx ({lang})",
        data={"variant": "commented", "lang": lang},
    )
    stem = review.filename.rsplit(".", 1)[0] or "review"
    return (
        data,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"{stem}-comments-{lang}.docx",
    )


def _org_name(organization, lang: str) -> str:
    """The SME's name as the counterparty reads it: English name for English comments when set."""
    return (organization.name_en if lang == "en" and organization.name_en else organization.name_ja) or "chizai"
