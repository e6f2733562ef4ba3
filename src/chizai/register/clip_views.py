"""Clip pages of the register: thin fronts on ``register.clips``.

The page's script (``static/chizai/clips.js``) sends a clip or poster as the raw request
body (``fetch``), which is read and sealed a megabyte at a time; without the script the
form posts multipart, which Django spools to its temporary folder before the view runs
(docs/register.md says so). Both end in the same service.
"""

from __future__ import annotations


from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from chizai.core.scoping import org_view
from chizai.core.services import ChizaiError
from chizai.register import clips, ranges, services


def _back(request, asset_id):
    return redirect("register_asset", request.organization.slug, asset_id)


def _raw(request) -> bool:
    return not request.content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded"))


def _declared(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _answer(request, asset_id, *, ok: bool, message: str, status: int = 200):
    """JSON for the page's script, a message and a redirect for a plain form."""
    if _raw(request):
        url = reverse("register_asset", args=[request.organization.slug, asset_id]) + "#clips"
        return JsonResponse({"ok": ok, "message": message, "next": url}, status=status)
    (messages.success if ok else messages.error)(request, message)
    return _back(request, asset_id)


@require_POST
@org_view("register", "change")
def upload(request, asset_id):
    services.get_asset(request.user, request.organization, asset_id, "change")
    if _raw(request):
        source, name = request, request.GET.get("name", "")
        title, declared = request.GET.get("title", ""), _declared(request)
    else:
        upload_file = request.FILES.get("file")
        if upload_file is None:
            return _answer(request, asset_id, ok=False, message=_("Choose a file to upload."), status=400)
        source, name, title, declared = upload_file, upload_file.name, request.POST.get("title", ""), upload_file.size
    try:
        clip = clips.upload_clip(
            request.user, request.organization, asset_id, source, name=name, title=title, declared_size=declared
        )
    except ChizaiError as exc:
        return _answer(request, asset_id, ok=False, message=str(exc), status=400)
    return _answer(
        request, asset_id, ok=True, message=_("Clip “%(title)s” uploaded.") % {"title": clip.title}, status=201
    )


@require_safe
@org_view("register", "download")
def stream(request, clip_id):
    clip = clips.get_clip(request.user, request.organization, clip_id, "download")
    try:
        response = ranges.respond(
            request,
            size=clip.size,
            etag=f'"{clip.sha256}"',
            content_type=clip.content_type,
            name=clip.original_name,
            read=lambda start, end: clips.read_range(clip, start, end),
        )
    except ChizaiError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    if request.method == "GET" and response.status_code in (200, 206):
        clips.record_play(request.user, request.organization, clip, request.session)
    return response


@require_safe
@org_view("register", "download")
def poster(request, clip_id):
    try:
        row, data = clips.poster_bytes(request.user, request.organization, clip_id)
    except ChizaiError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=row.content_type)
    # An image checked to be JPEG or PNG by its bytes, shown by <video poster> and <img>.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@org_view("register", "download")
def captions(request, clip_id):
    response = HttpResponse(
        clips.chapters_vtt(request.user, request.organization, clip_id), content_type="text/vtt; charset=utf-8"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@org_view("register", "change")
def set_poster(request, clip_id):
    clip = clips.get_clip(request.user, request.organization, clip_id, "change")
    if _raw(request):
        source, declared = request, _declared(request)
    else:
        source = request.FILES.get("poster")
        if source is None:
            return _answer(request, clip.asset_id, ok=False, message=_("Choose an image."), status=400)
        declared = source.size
    try:
        clips.set_poster(request.user, request.organization, clip.pk, source, declared_size=declared)
    except ChizaiError as exc:
        return _answer(request, clip.asset_id, ok=False, message=str(exc), status=400)
    return _answer(request, clip.asset_id, ok=True, message=_("Poster saved."))


@require_POST
@org_view("register", "change")
def add_chapter(request, clip_id):
    clip = clips.get_clip(request.user, request.organization, clip_id, "change")
    try:
        clips.add_chapter(
            request.user,
            request.organization,
            clip.pk,
            at=request.POST.get("at", ""),
            title=request.POST.get("title", ""),
            note=request.POST.get("note", ""),
        )
    except ChizaiError as exc:
        messages.error(request, str(exc))
    return _back(request, clip.asset_id)


@require_POST
@org_view("register", "change")
def delete_chapter(request, clip_id, chapter_id):
    clip = clips.get_clip(request.user, request.organization, clip_id, "change")
    clips.delete_chapter(request.user, request.organization, chapter_id, clip_id=clip.pk)
    return _back(request, clip.asset_id)


@require_POST
@org_view("register", "change")
def delete(request, clip_id):
    clip = clips.get_clip(request.user, request.organization, clip_id, "change")
    clips.delete_clip(request.user, request.organization, clip.pk)
    messages.success(request, _("Clip deleted."))
    return _back(request, clip.asset_id)
