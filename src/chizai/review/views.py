from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chizai.core.access import Denied, NotFound
from chizai.core.scoping import can, org_view, require_can, scoped
from chizai.core.services import ChizaiError
from chizai.review import changes, scans, services
from chizai.review.input_errors import progress_text, review_error
from chizai.review.forms import DetectionChoiceForm, FeedbackForm, ReviewForm
from chizai.review.models import ContractReview


def _submit(request, form, previous=None):
    data = form.cleaned_data
    upload = data.get("file")
    try:
        return services.submit_review(
            request.user,
            request.organization,
            filename=upload.name if upload else "pasted.txt",
            data=upload.read() if upload else None,
            text=None if upload else data["text"],
            title=data.get("title") or "",
            contract_type=data["contract_type"],
            sme=data.get("sme"),
            lang=data["lang"],
            previous=previous,
        )
    except ChizaiError as exc:
        form.add_error(None, str(exc))
        return None


@org_view("review", "view")
def index(request):
    form = ReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require_can(request, "review", "add")
        if form.is_valid():
            review = _submit(request, form)
            if review is not None:
                return redirect("review_detail", org_slug=request.organization.slug, review_id=review.pk)
    reviews = scoped(request, ContractReview).select_related("created_by")[:100]
    return render(
        request,
        "review/index.html",
        {"form": form, "reviews": reviews, "can_add": can(request, "review", "add")},
        status=400 if form.errors else 200,
    )


def _chunks(text: str, findings: list[dict]) -> list[tuple[str, dict | None, int]]:
    """The contract text cut into plain and highlighted pieces for the template."""
    spans = sorted(
        ((f["span"][0], f["span"][1], i) for i, f in enumerate(findings) if f.get("span")), key=lambda s: s[0]
    )
    pieces: list[tuple[str, dict | None, int]] = []
    pos = 0
    for start, end, index in spans:
        if start < pos or end > len(text):
            continue
        pieces.append((text[pos:start], None, -1))
        pieces.append((text[start:end], findings[index], index))
        pos = end
    pieces.append((text[pos:], None, -1))
    return pieces


def _review_again(request, review, form):
    """Run the review again on the same text with the user's answer as --sme / --type."""
    options = review.options or {}
    data = form.cleaned_data
    try:
        return services.submit_review(
            request.user,
            request.organization,
            filename=review.filename,
            text=review.text,
            title=review.title,
            contract_type=data.get("contract_type") or options.get("type", "auto"),
            sme=data.get("sme") or options.get("sme") or None,
            lang=options.get("lang", "auto"),
            previous=review.previous,
        )
    except ChizaiError as exc:
        form.add_error(None, str(exc))
        return None


@org_view("review", "view")
def detail(request, review_id: int):
    review = get_object_or_404(scoped(request, ContractReview), pk=review_id)
    detection = (review.report or {}).get("detection") or {}
    questions = services.open_questions(review)
    choice = DetectionChoiceForm(request.POST or None, detection=detection) if questions else None
    if request.method == "POST":
        require_can(request, "review", "add")
        if choice is None:  # nothing to answer: the form is not offered
            raise Denied()
        if choice.is_valid():
            again = _review_again(request, review, choice)
            if again is not None:
                return redirect("review_detail", org_slug=request.organization.slug, review_id=again.pk)
    services.record_view(request.user, review)
    # a poll from the progress bar gets the whole page: it swaps in #review-body, which holds the
    # next progress bar while the review runs and the report once it is done
    # findings wait for the answer: read in the wrong direction they mislead
    hold = bool(questions) and can(request, "review", "add") and not request.GET.get("findings")
    return render(
        request,
        "review/detail.html",
        {
            "review": review,
            "error_text": review_error(review) if review.status == "failed" else "",
            "progress_text": progress_text(review.job.progress_note) if review.job else "",
            "questions": questions,
            "choice": choice,
            "hold_findings": hold,
            "detection": detection,
            "chunks": _chunks(review.text, review.findings) if review.status == "done" and not hold else [],
            "versions": scoped(request, ContractReview).filter(filename=review.filename).exclude(pk=review.pk)[:20],
            "form": ReviewForm(initial={"previous": review.pk, "title": review.title}),
            "can_add": can(request, "review", "add"),
            "can_export": can(request, "review", "export"),
            "on_page": scans.on_page_indexes(review) if not hold else set(),
            **_feedback_context(request, review, hold),
        },
        status=400 if choice is not None and choice.errors else 200,
    )


@org_view("review", "export")
def export(request, review_id: int, fmt: str):
    review = get_object_or_404(scoped(request, ContractReview, "export"), pk=review_id)
    if fmt not in ("html", "pdf"):
        raise NotFound()
    try:
        # one language: ?lang=ja|en, else the reader's (issue 14)
        lang = request.GET.get("lang") or ("ja" if (get_language() or "").startswith("ja") else "en")
        body, content_type, name = services.export_review(request.user, review, fmt, lang)
    except ChizaiError as exc:
        messages.error(request, str(exc))
        return redirect("review_detail", org_slug=request.organization.slug, review_id=review.pk)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@org_view("review", "add")
def new_version(request, review_id: int):
    previous = get_object_or_404(scoped(request, ContractReview), pk=review_id)
    form = ReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        review = _submit(request, form, previous=previous)
        if review is not None:
            return redirect(
                "review_compare", org_slug=request.organization.slug, review_id=review.pk, other_id=previous.pk
            )
    return render(
        request, "review/new_version.html", {"form": form, "previous": previous}, status=400 if form.errors else 200
    )


@org_view("review", "view")
def compare(request, review_id: int, other_id: int):
    new = get_object_or_404(scoped(request, ContractReview), pk=review_id)
    old = get_object_or_404(scoped(request, ContractReview), pk=other_id)
    if new.status != "done" or old.status != "done":
        messages.info(request, _("Both reviews must be finished before they can be compared."))
        return redirect("review_detail", org_slug=request.organization.slug, review_id=new.pk)
    return render(request, "review/compare.html", {"new": new, "old": old, "diff": services.compare(old, new)})


def _feedback_context(request, review, hold: bool) -> dict:
    """The findings split by the organisation's feedback, each with why it fired."""
    from django.utils.translation import get_language

    from chizai.review import feedback

    if review.status != "done" or hold:
        return {}
    lang = "ja" if (get_language() or "").startswith("ja") else "en"
    fb = feedback.annotate(review, lang)
    near = changes.for_findings(review.report or {})
    for item in (*fb["shown"], *fb.get("marked_wrong", [])):
        item["near_changes"] = near.get(item["index"], [])
    return {
        "fb": fb,
        "checklist": feedback.checklist_in_language(review, lang),
        "can_feedback": can(request, "review", "change"),
        "feedback_form": FeedbackForm(),
        "rule_ids": feedback.rule_ids(),
    }


@org_view("review", "change")
def feedback(request, review_id: int):
    """Mark a finding wrong or right, or add a missed one (POST from the report)."""
    from chizai.review import feedback as feedback_services

    review = get_object_or_404(scoped(request, ContractReview, "change"), pk=review_id)
    if request.method != "POST":
        return redirect("review_detail", org_slug=request.organization.slug, review_id=review.pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            feedback_services.record_feedback(
                request.user,
                request.organization,
                review,
                verdict=data["verdict"],
                reason=data["reason"],
                finding_index=data.get("finding"),
                rule_id=data.get("rule_id") or "",
                text=data.get("text") or "",
                clause_ref=data.get("clause_ref") or "",
            )
            messages.success(request, _("Thank you: your organisation's reviews will use this."))
        except ChizaiError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("review_detail", org_slug=request.organization.slug, review_id=review.pk)


@org_view("review", "export")
def export_docx(request, review_id: int):
    """The contract as a Word file with the findings as comments (language from ?lang=ja|en)."""
    review = get_object_or_404(scoped(request, ContractReview, "export"), pk=review_id)
    try:
        body, content_type, name = services.commented_docx(request.user, review, request.GET.get("lang", "ja"))
    except ChizaiError as exc:
        messages.error(request, str(exc))
        return redirect("review_detail", org_slug=request.organization.slug, review_id=review.pk)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@org_view("review", "view")
def finding_page(request, review_id: int, index: int):
    """The scanned page(s) holding a finding's sentence, boxed (a review read by OCR)."""
    review = get_object_or_404(scoped(request, ContractReview), pk=review_id)
    pages = scans.finding_pages(review, index)
    if not pages:
        raise NotFound()
    return render(
        request,
        "review/finding_page.html",
        {"review": review, "finding": review.findings[index], "index": index, "pages": sorted(pages)},
    )


@org_view("review", "view")
def finding_page_image(request, review_id: int, index: int, page: int):
    review = get_object_or_404(scoped(request, ContractReview), pk=review_id)
    try:
        png = scans.page_image(request.user, review, index, page)
    except ChizaiError as exc:  # the stored scan cannot be rendered any more
        return HttpResponse(str(exc), status=422, content_type="text/plain; charset=utf-8")
    response = HttpResponse(png, content_type="image/png")
    # the page is the contract itself: no copy in the browser's or a proxy's cache
    response["Cache-Control"] = "no-store, private"
    return response
