"""Clips of hands at work on an asset: upload, chapters, poster, ranged playback, delete.

A clip is sealed as it arrives (``crypto.Sealer``: the request body is read a megabyte at a
time, encrypted into a temporary ciphertext file and moved into the storage once whole), so
no plaintext copy is written anywhere and memory stays flat whatever the size. The first
bytes must be a video container or a photo (``media.sniff``) and the container must be
whole at the end (``media.Completeness``); a refusal, an upload over the limit or one that
breaks off leaves no row and no stored object.

Playback reads only the chunks a Range covers (``crypto.decrypt_range``), from a local file
by seeking and from S3 by ranged GETs (``_RangedObject``), each chunk authenticated.

Access: reading a clip (list, play, poster, chapters) needs the asset's ``download``
capability, as its files do; changing it needs ``change``. Playback is audited once per
clip per login session and half hour (web) or per request from the start (API), not per
Range request: a seek is not a new read of the know-how.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from datetime import timedelta
from itertools import chain

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from chizai.conf.env import env_int
from chizai.core import audit
from chizai.core.services import ChizaiError
from chizai.core.validation import refuse_bad_text, save_or_refuse
from chizai.register import crypto, media, sealed
from chizai.register.models import AssetClip, ClipChapter, ClipPoster, clip_storage_names
from chizai.register.services import get_asset

DEFAULT_MAX_CLIP = 2 * 1024 * 1024 * 1024
MAX_POSTER = 10 * 1024 * 1024
PIECE = 1024 * 1024
# One playback session: further requests for the same clip within this time are not audited again.
PLAY_SESSION = timedelta(minutes=30)
SESSION_KEY = "chizai_clips_played"
_TIME = re.compile(r"^(?:(?:(?P<h>[0-9]{1,2}):)?(?P<m>[0-9]{1,4}):)?(?P<s>[0-9]{1,6}(?:\.[0-9]{1,3})?)$")


def max_clip_bytes() -> int:
    """The limit for one clip (``CHIZAI_REGISTER_MAX_CLIP_BYTES``, default 2 GiB)."""
    return getattr(settings, "CHIZAI_REGISTER_MAX_CLIP_BYTES", None) or env_int(
        "CHIZAI_REGISTER_MAX_CLIP_BYTES", DEFAULT_MAX_CLIP
    )


def _too_large(limit: int) -> str:
    return _("The clip is larger than the limit of %(mb)d MB; nothing was stored.") % {"mb": limit // (1024 * 1024)}


def _pieces(source) -> Iterator[bytes]:
    """An upload (``chunks``), a request or a file (``read``) as pieces of at most a megabyte."""
    if hasattr(source, "chunks"):
        yield from source.chunks(PIECE)
        return
    while True:
        piece = source.read(PIECE)
        if not piece:
            return
        yield piece


def _seal(source, organization, *, folder: str, limit: int, declared: int | None, photos_only: bool):
    """(storage name, Sealed, media type) of an upload, or a ``ChizaiError`` with nothing kept."""
    allowed = media.PHOTO_TYPES if photos_only else media.VIDEO_TYPES + media.PHOTO_TYPES
    temp = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by the with below, removed in finally
        prefix="chizai-clip-", suffix=".enc", delete=False, dir=getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    )
    try:
        with temp:
            try:
                pieces = _pieces(source)
                first: list[bytes] = []
                head = b""
                for piece in pieces:
                    first.append(piece)
                    head += piece[: media.SNIFF_BYTES - len(head)]
                    if len(head) >= media.SNIFF_BYTES:
                        break
                content_type = media.sniff(head)
                if not head:
                    raise ChizaiError(_("The file is empty; nothing was stored."))
                if content_type is None or content_type not in allowed:
                    raise ChizaiError(_not_media(photos_only))
                check = media.Completeness(content_type)
                sealer = crypto.Sealer(temp, organization, max_size=limit)
                for piece in chain(first, pieces):
                    sealer.write(piece)
                    check.feed(piece)
                result = sealer.finish()
            except ValueError:
                raise ChizaiError(_too_large(limit)) from None
            except OSError as exc:  # the client went away (Django's UnreadablePostError is one)
                raise ChizaiError(
                    _("The upload was interrupted; nothing was stored. (%(error)s)") % {"error": exc}
                ) from None
            except crypto.KeyError_ as exc:
                raise ChizaiError(str(exc)) from None
        if (declared is not None and result.size != declared) or check.problem():
            raise ChizaiError(
                _("The file is incomplete (it was cut short, or is damaged); nothing was stored. Upload it again.")
            )
        stored = sealed.put_ciphertext(temp.name, folder)
    finally:
        if os.path.exists(temp.name):
            os.remove(temp.name)
    return stored, result, content_type


def _not_media(photos_only: bool) -> str:
    if photos_only:
        return _("A poster must be a JPEG or PNG image; nothing was stored.")
    return _("This is not a video (MP4, MOV, WebM) or photo (JPEG, PNG) file; nothing was stored.")


def get_clip(user, organization, clip_id, action: str = "download") -> AssetClip:
    """The clip if ``user`` may ``action`` its asset, else 404."""
    clip = (
        AssetClip.objects.restrict(user, action)
        .filter(organization=organization, pk=clip_id)
        .select_related("asset")
        .first()
    )
    if clip is None:
        raise Http404("No such clip.")
    return clip


def clips_of(user, asset) -> list[AssetClip]:
    """The asset's clips ``user`` may play, with chapters and whether each has a poster."""
    rows = list(
        AssetClip.objects.restrict(user, "download")
        .filter(asset=asset)
        .select_related("poster")
        .prefetch_related("chapters")
    )
    for clip in rows:
        clip.has_poster = hasattr(clip, "poster")  # a missing reverse one-to-one is an AttributeError
    return rows


def upload_clip(
    actor, organization, asset_id, source, *, name: str, title: str = "", declared_size: int | None = None
) -> AssetClip:
    """Seal and record one clip (or photo); ``source`` is read as it comes (a request body,
    an upload, a file). ``declared_size`` (the request's Content-Length) lets an upload over
    the limit be refused before a byte is read, and a body that stops short be told apart."""
    asset = get_asset(actor, organization, asset_id, "change")
    limit = max_clip_bytes()
    if declared_size is not None and declared_size > limit:
        raise ChizaiError(_too_large(limit))
    name = sealed.clean_name(name)
    title = " ".join((title or "").split()) or name
    refuse_bad_text(title, multiline=False)
    stored, result, content_type = _seal(
        source, organization, folder=f"clips/{organization.pk}", limit=limit, declared=declared_size, photos_only=False
    )
    try:
        with transaction.atomic():
            clip = AssetClip(
                organization=organization,
                asset=asset,
                title=title[:200],
                original_name=name,
                content_type=content_type,
                size=result.size,
                sha256=result.sha256,
                storage_name=stored,
                key_id=result.key_id,
                wrapped_key=result.wrapped_key,
                uploaded_by=actor,
            )
            save_or_refuse(clip)
            audit.record(
                actor,
                organization,
                "register.clip.upload",
                obj=clip,
                summary=f"clip {name} uploaded to {asset.title_ja}",
                data={"name": name, "title": asset.title_ja},
                changes={"after": {"asset": asset.pk, "title": clip.title, "size": clip.size, "sha256": clip.sha256}},
            )
    except BaseException:
        sealed.discard(stored)
        raise
    return clip


def set_poster(actor, organization, clip_id, source, *, declared_size: int | None = None) -> ClipPoster:
    """Seal a JPEG or PNG as the clip's poster, replacing any earlier one (whose object goes
    once this commits). The browser offers the frame on screen (a canvas), or a photo."""
    clip = get_clip(actor, organization, clip_id, "change")
    if declared_size is not None and declared_size > MAX_POSTER:
        raise ChizaiError(_too_large(MAX_POSTER))
    stored, result, content_type = _seal(
        source,
        organization,
        folder=f"clips/{organization.pk}",
        limit=MAX_POSTER,
        declared=declared_size,
        photos_only=True,
    )
    try:
        with transaction.atomic():
            old = ClipPoster.objects.select_for_update().filter(clip=clip).first()
            if old is not None:
                sealed.delete_on_commit(old.storage_name)
                old.delete()
            poster = ClipPoster.objects.create(
                organization=organization,
                clip=clip,
                content_type=content_type,
                size=result.size,
                sha256=result.sha256,
                storage_name=stored,
                key_id=result.key_id,
                wrapped_key=result.wrapped_key,
            )
            audit.record(
                actor,
                organization,
                "register.clip.poster",
                obj=clip,
                summary=f"poster set for clip {clip.title}",
                data={"clip": clip.title},
                changes={"after": {"sha256": result.sha256, "size": result.size}},
            )
    except BaseException:
        sealed.discard(stored)
        raise
    return poster


def poster_bytes(user, organization, clip_id) -> tuple[ClipPoster, bytes]:
    """The poster of a clip ``user`` may play (at most 10 MB: read whole and checked)."""
    clip = get_clip(user, organization, clip_id, "download")
    poster = ClipPoster.objects.filter(clip=clip).first()
    if poster is None:
        raise Http404("No poster.")
    data = sealed.open_sealed(
        poster.storage_name, poster.wrapped_key, poster.key_id, poster.sha256, clip.organization_id
    )
    return poster, data


def parse_time(value) -> int:
    """Milliseconds from ``1:23``, ``1:02:03``, ``83`` or ``83.5`` (full-width digits too)."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    match = _TIME.match(text)
    # minutes and seconds after a colon stay under 60; minutes alone (m:ss) may run on
    if (
        match is None
        or (match.group("h") is not None and int(match.group("m")) >= 60)
        or (match.group("m") is not None and float(match.group("s")) >= 60)
    ):
        raise ChizaiError(_("Write the time as m:ss, h:mm:ss or seconds (for example 1:23)."))
    total = int(match.group("h") or 0) * 3600 + int(match.group("m") or 0) * 60 + float(match.group("s"))
    if total > 24 * 3600:
        raise ChizaiError(_("A chapter mark must be within 24 hours of the start."))
    return round(total * 1000)


def chapters_vtt(user, organization, clip_id) -> str:
    """The clip's chapter marks as a WebVTT captions track: each title and note shown from its
    mark to the next (the last for ten seconds), so what to watch for is on the picture."""
    clip = get_clip(user, organization, clip_id, "download")
    marks = list(clip.chapters.all())
    lines = ["WEBVTT", ""]
    for index, chapter in enumerate(marks):
        end = marks[index + 1].at_ms if index + 1 < len(marks) else chapter.at_ms + 10_000
        if end <= chapter.at_ms:
            end = chapter.at_ms + 1000  # two marks at one time: both shown for a second
        lines.append(f"{_vtt_time(chapter.at_ms)} --> {_vtt_time(end)}")
        text = [chapter.title] + [line for line in chapter.note.splitlines() if line.strip()]
        lines += [_vtt_text(line) for line in text]
        lines.append("")
    return "\n".join(lines)


def _vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _vtt_text(line: str) -> str:
    # Cue text is markup: escape it, and never let a note end the cue or start a timing line.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").strip()


def add_chapter(actor, organization, clip_id, *, at, title: str, note: str = "") -> ClipChapter:
    clip = get_clip(actor, organization, clip_id, "change")
    title = " ".join((title or "").split())
    if not title:
        raise ChizaiError(_("Give the chapter a title."))
    refuse_bad_text(title, multiline=False)
    refuse_bad_text(note or "")
    with transaction.atomic():
        chapter = ClipChapter(
            organization=organization, clip=clip, at_ms=parse_time(at), title=title, note=note or "", created_by=actor
        )
        save_or_refuse(chapter)
        audit.record(
            actor,
            organization,
            "register.clip.chapter.add",
            obj=chapter,
            summary=f"chapter {chapter.timestamp} {title} on clip {clip.title}",
            data={"at": chapter.timestamp, "title": title, "clip": clip.title},
            changes={"after": {"clip": clip.pk, "at_ms": chapter.at_ms, "title": title, "note": chapter.note}},
        )
    return chapter


def delete_chapter(actor, organization, chapter_id, *, clip_id: int | None = None) -> None:
    chapters = ClipChapter.objects.restrict(actor, "change").filter(organization=organization, pk=chapter_id)
    chapter = (chapters if clip_id is None else chapters.filter(clip_id=clip_id)).first()
    if chapter is None:
        raise Http404("No such chapter.")
    with transaction.atomic():
        audit.record(
            actor,
            organization,
            "register.clip.chapter.delete",
            obj=chapter,
            summary=f"chapter {chapter.timestamp} {chapter.title} removed",
            data={"at": chapter.timestamp, "title": chapter.title},
            changes={"before": {"clip": chapter.clip_id, "at_ms": chapter.at_ms, "title": chapter.title}},
        )
        chapter.delete()


def delete_clip(actor, organization, clip_id) -> None:
    clip = get_clip(actor, organization, clip_id, "change")
    with transaction.atomic():
        names = clip_storage_names(clip)
        audit.record(
            actor,
            organization,
            "register.clip.delete",
            obj=clip,
            summary=f"clip {clip.title} deleted",
            data={"clip": clip.title},
            changes={"before": {"asset": clip.asset_id, "title": clip.title, "sha256": clip.sha256}},
        )
        clip.delete()
        sealed.delete_on_commit(*names)


# --- playback --------------------------------------------------------------------------


def record_play(actor, organization, clip: AssetClip, session=None) -> bool:
    """Audit a playback; with a login ``session``, once per clip per ``PLAY_SESSION`` (a seek
    is one more Range request of the same viewing). True when an event was written."""
    now = timezone.now()
    if session is not None:
        played = dict(session.get(SESSION_KEY) or {})
        last = parse_datetime(played.get(str(clip.pk)) or "")
        if last is not None and now - last < PLAY_SESSION:
            return False
        played[str(clip.pk)] = now.isoformat()
        session[SESSION_KEY] = played
    with transaction.atomic():
        audit.record(
            actor,
            organization,
            "register.clip.play",
            obj=clip,
            summary=f"clip {clip.title} played",
            data={"clip": clip.title},
            changes={"after": {"asset": clip.asset_id, "sha256": clip.sha256}},
        )
    return True


def read_range(clip: AssetClip | ClipPoster, start: int, end: int) -> Iterator[bytes]:
    """Plaintext bytes ``start``..``end`` of a sealed clip, decrypting only their chunks.

    A missing object, a key that does not open or a chunk that fails authentication is a
    ``ChizaiError``; raised at the first piece when it concerns where the range starts.
    """
    handle = _open_seekable(clip.storage_name, crypto.sealed_length(clip.size))
    try:
        yield from crypto.decrypt_range(
            handle, clip.wrapped_key, clip.key_id, clip.organization_id, start, end, size=clip.size
        )
    except FileNotFoundError:
        raise ChizaiError(_("This file cannot be served: its stored content is missing.")) from None
    except (crypto.KeyError_, crypto.IntegrityError_) as exc:
        raise ChizaiError(_("This file cannot be served: %(error)s") % {"error": exc}) from None
    finally:
        handle.close()


def _open_seekable(name: str, length: int):
    """A seek-and-read handle on a stored object that fetches only what is read: the file
    itself on local storage; ranged GETs on S3 (whose ``open`` would download it all)."""
    if hasattr(default_storage, "read_range"):
        return _RangedObject(default_storage, name, length)
    return default_storage.open(name, "rb")


class _RangedObject:
    """``seek``/``read`` over an object in S3: after a seek, one GET for exactly what the
    first read asks (the header, one chunk); reads that follow on stream windows that double
    up to ``WINDOW``, so a seek costs one chunk and a long play few requests."""

    WINDOW = 8 * 1024 * 1024

    def __init__(self, storage, name: str, length: int):
        self._storage, self._name, self._length = storage, name, length
        self._pos = 0
        self._body = None
        self._left = 0
        self._window = 0

    def seek(self, pos: int) -> None:
        if pos != self._pos:
            self._drop()
            self._window = 0
            self._pos = pos

    def read(self, n: int) -> bytes:
        out = bytearray()
        while n > 0 and self._pos < self._length:
            if self._body is None or self._left == 0:
                self._drop()
                self._window = min(self.WINDOW, max(n, 2 * self._window))
                self._left = min(self._window, self._length - self._pos)
                self._body = body = self._storage.read_range(self._name, self._pos, self._left)
            else:
                body = self._body
            piece = body.read(min(n, self._left))
            if not piece:
                break
            out += piece
            n -= len(piece)
            self._pos += len(piece)
            self._left -= len(piece)
        return bytes(out)

    def _drop(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None
            self._left = 0

    def close(self) -> None:
        self._drop()
