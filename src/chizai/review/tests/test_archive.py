"""The archive checker (``chizai.safearchive``) and its callers' refusals, in-process.

The limits are met while streaming, whatever the headers claim; legit Office files pass;
any input at all gives a ``Summary`` or an ``ArchiveError``, nothing else. XML entity
expansion is covered too: the parsers behind python-docx and openpyxl already refuse it,
and these tests keep it that way. Time and peak memory of whole entry points are measured
in ``test_archive_bomb.py``.
"""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chizai import safearchive
from chizai.disclosure import watermark
from chizai.review.engine import messages
from chizai.review.engine.document import ReviewInputError
from chizai.review.engine.extract import extract_text
from chizai.review.tests.test_archive_bomb import bombs  # noqa: F401
from chizai.review.tests.test_archive_probes import legit_docx, legit_xlsx

MIB = 1024 * 1024
METI_WORD = sorted(
    (Path(__file__).resolve().parents[5] / "shared" / "data" / "meti-oi-model-contracts" / "word").glob("*.docx")
)


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _set_central(data: bytes, offset: int, fmt: str, value: int, entry: int = 0) -> bytes:
    """``data`` with one field of the ``entry``-th central directory header replaced."""
    at = -1
    for _ in range(entry + 1):
        at = data.index(b"PK\x01\x02", at + 1)
    out = bytearray(data)
    struct.pack_into(fmt, out, at + offset, value)
    return bytes(out)


def _reason(data, **limits) -> str:
    with pytest.raises(safearchive.ArchiveError) as refused:
        safearchive.check(data, **limits)
    return refused.value.reason


# --- legit files pass ------------------------------------------------------------------------


@pytest.mark.skipif(not METI_WORD, reason="shared METI model contracts not present")
def test_real_word_contracts_pass_with_their_real_size():
    for path in METI_WORD:
        data = path.read_bytes()
        summary = safearchive.check(data)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert summary.unpacked == sum(i.file_size for i in z.infolist())
            assert summary.entries == len(z.infolist()) and "word/document.xml" in summary.names


def test_generated_docx_and_xlsx_pass_and_a_file_keeps_its_position():
    for data in (legit_docx(), legit_xlsx([[f"行 {n}", n] for n in range(2000)])):
        handle = io.BytesIO(data)
        handle.seek(7)
        assert safearchive.check(handle).unpacked > len(data)
        assert handle.tell() == 7


def test_small_repetitive_parts_may_exceed_the_ratio():
    """A page of identical paragraphs compresses ~300 times; below the grace size that is fine."""
    paragraphs = b"<w:p><w:r><w:t>same</w:t></w:r></w:p>" * 100_000  # 3.7 MB
    data = _zip({"word/document.xml": paragraphs})
    assert len(paragraphs) > safearchive.MAX_RATIO * len(data)
    assert safearchive.check(data).unpacked == len(paragraphs)


# --- limits ---------------------------------------------------------------------------------


def test_declared_sizes_refuse_at_once(bombs):  # noqa: F811
    for path in bombs.values():
        started = time.perf_counter()
        assert _reason(path.read_bytes()) == "size"
        assert time.perf_counter() - started < 0.5


def test_declared_ratio_refuses_a_dense_part_within_the_size_limit():
    data = _zip({"a.xml": bytes(16 * MIB)})
    assert _reason(data) == "ratio"
    assert safearchive.check(data, max_ratio=10_000).unpacked == 16 * MIB


def test_the_stream_is_counted_when_the_headers_are_not_believed(monkeypatch):
    """With the header check switched off, the same limits hold on the bytes inflated."""
    monkeypatch.setattr(safearchive, "_check_declared", lambda *args: None)
    data = _zip({"a.xml": bytes(16 * MIB), "b.xml": b"x" * 1000})
    assert _reason(data) == "ratio"
    assert _reason(data, max_ratio=10_000, max_bytes=4 * MIB) == "size"
    assert safearchive.check(data, max_ratio=10_000).unpacked == 16 * MIB + 1000


def test_a_bomb_is_caught_by_its_running_ratio_soon_after_the_grace(bombs, monkeypatch):  # noqa: F811
    """Measured against the compressed bytes read so far, not the member's whole compressed
    size (with which a 1 MB bomb would inflate 100 MB first)."""
    monkeypatch.setattr(safearchive, "_check_declared", lambda *args: None)
    inflated = []
    chunks = safearchive._chunks

    def counted(zf, info):
        for chunk in chunks(zf, info):
            inflated.append(len(chunk))
            yield chunk

    monkeypatch.setattr(safearchive, "_chunks", counted)
    assert _reason(bombs["docx"].read_bytes()) == "ratio"
    assert sum(inflated) < safearchive.RATIO_GRACE_BYTES + 2 * MIB


def test_a_part_that_claims_less_than_it_holds_is_damaged_not_inflated():
    data = _zip({"word/document.xml": bytes(16 * MIB)})
    lying = _set_central(data, 24, "<L", 1000)  # uncompressed size in the central directory
    started = time.perf_counter()
    assert _reason(lying) == "damaged"  # zipfile stops at the claimed size; the CRC then differs
    assert time.perf_counter() - started < 0.2


def test_a_part_that_claims_more_than_it_holds_is_refused_by_its_claim():
    data = _zip({"a.xml": b"<a/>"})
    assert _reason(_set_central(data, 24, "<L", 2**31)) == "size"


def test_too_many_entries_declared_or_hidden():
    data = _zip({f"p{n}.xml": b"<a/>" for n in range(50)})
    assert _reason(data, max_entries=10) == "entries"
    at = data.rindex(b"PK\x05\x06")
    hidden = bytearray(data)
    struct.pack_into("<HH", hidden, at + 8, 1, 1)  # the end record claims one entry
    assert _reason(bytes(hidden), max_entries=10) == "entries"
    assert safearchive.check(bytes(hidden)).entries == 50


def test_an_oversized_directory_is_refused_before_zipfile_reads_it(monkeypatch):
    data = _zip({f"p{n}.xml": b"" for n in range(100)})
    monkeypatch.setattr(safearchive, "MAX_DIRECTORY_BYTES", 1000)
    assert _reason(data) == "entries"


def test_zip64_end_records_are_read(monkeypatch):
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)  # zipfile then writes the zip64 end records
    data = _zip({f"p{n}.xml": b"<a/>" for n in range(3)})
    monkeypatch.undo()
    assert b"PK\x06\x06" in data
    at = data.rindex(b"PK\x05\x06")
    data = data[: at + 8] + b"\xff\xff\xff\xff" + data[at + 12 :]  # as past 65,535 entries: "see the zip64 record"
    assert safearchive.check(data).entries == 3
    assert _reason(data, max_entries=2) == "entries"


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_methods_office_never_writes_are_refused(method):
    """zipfile inflates these without a bound per read; one read could be gigabytes."""
    assert _reason(_zip({"a.xml": b"<a/>"}, method)) == "damaged"


def test_encrypted_members_are_damaged():
    assert _reason(_set_central(_zip({"a.xml": b"<a/>"}), 8, "<H", 0x1)) == "damaged"


def test_read_member_stops_at_its_limit():
    with safearchive.open_zip(_zip({"m.json": b"{}" + b" " * MIB})) as z:
        with pytest.raises(safearchive.ArchiveError) as refused:
            safearchive.read_member(z, "m.json", max_bytes=64 * 1024)
        assert refused.value.reason == "size"
        with pytest.raises(safearchive.ArchiveError):
            safearchive.read_member(z, "missing.json", max_bytes=64 * 1024)


def test_a_stream_that_cannot_seek_is_an_archive_error():
    class Pipe(io.RawIOBase):
        def readable(self):
            return True

    with pytest.raises(safearchive.ArchiveError) as refused:
        safearchive.check(Pipe())
    assert refused.value.reason == "damaged"


# --- any input: a Summary or an ArchiveError ----------------------------------------------------

_SEED_ZIPS = [
    _zip({"word/document.xml": b"<w:document/>" * 50, "[Content_Types].xml": b"<Types/>"}),
    _zip({"a": b""}, zipfile.ZIP_STORED),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_any_bytes_give_a_summary_or_an_archive_error(data):
    try:
        safearchive.check(data, max_bytes=MIB)
    except safearchive.ArchiveError as exc:
        assert exc.reason in ("damaged", *safearchive.ArchiveError.LIMITS)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_SEED_ZIPS),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(0, 64),
)
def test_corrupted_zips_give_a_summary_or_an_archive_error(seed, changes, cut):
    data = bytearray(seed)
    for position, value in changes:
        data[position % len(data)] = value
    data = bytes(data[: len(data) - cut])
    try:
        summary = safearchive.check(data, max_bytes=MIB)
    except safearchive.ArchiveError:
        return
    assert summary.unpacked <= MIB and summary.entries <= safearchive.MAX_ENTRIES


# --- the callers ---------------------------------------------------------------------------


def test_the_engine_refuses_with_its_own_code_and_both_languages(bombs):  # noqa: F811
    with pytest.raises(ReviewInputError) as refused:
        extract_text(bombs["docx"].read_bytes(), "爆弾.docx")
    assert refused.value.code == "unpacked_too_large" and "96 MB" in refused.value.message
    assert "zip" in messages.error_message("unpacked_too_large", "ja")
    assert messages.error_message("unpacked_too_large", "en").startswith("The Word file unpacks")


def test_the_engine_still_reads_damaged_and_encrypted_files_as_before():
    with pytest.raises(ReviewInputError) as damaged:
        extract_text(_zip({"word/document.xml": b"<w:document/>"}).replace(b"PK\x01\x02", b"PK\x01\x03"), "c.docx")
    assert damaged.value.code == "broken_docx"
    with pytest.raises(ReviewInputError) as encrypted:
        extract_text(b"\xd0\xcf\x11\xe0" + bytes(600), "c.docx")
    assert encrypted.value.code == "encrypted_docx"


def test_the_review_service_message_is_translated(bombs):  # noqa: F811
    from django.utils import translation

    from chizai.core.services import ChizaiError
    from chizai.review.services import validate_input

    for lang, word in (("en", "zip bomb"), ("ja", "zip爆弾")):
        with translation.override(lang), pytest.raises(ChizaiError, match=word):
            validate_input(bombs["docx"].read_bytes(), "c.docx", {})


def test_trace_reads_the_manifest_of_a_found_zip_without_inflating_the_rest(bombs, tmp_path):  # noqa: F811
    found = tmp_path / "found.zip"
    found.write_bytes(bombs["docx"].read_bytes())
    with zipfile.ZipFile(found, "a") as z:
        z.writestr(watermark.MANIFEST, json.dumps({"fingerprint": watermark.MARK + "0123456789abcdef"}))
    started = time.perf_counter()
    traced = watermark.read_fingerprints(found.read_bytes())
    assert traced.tokens == ["0123456789abcdef"] and time.perf_counter() - started < 0.5


def test_trace_refuses_a_manifest_bomb():
    data = _zip({watermark.MANIFEST: b'{"fingerprint": "' + b" " * (4 * MIB) + b'"}'})
    with pytest.raises(watermark.NotAPdf):
        watermark.read_fingerprints(data)


# --- XML entity expansion ("billion laughs") and external entities ----------------------------

_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
    + "".join(f'<!ENTITY lol{i} "' + (f"&lol{i - 1};" if i > 1 else "&lol;") * 10 + '">' for i in range(1, 10))
    + "]>",
    "&lol9;",
)


def _external(tmp_path) -> tuple[str, str]:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-ON-THE-SERVER")
    return f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>', "&xxe;"


def _with_doctype(package: bytes, part: str, marker: str, entity: tuple[str, str]) -> bytes:
    doctype, reference = entity
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                declaration, end, rest = data.decode().rpartition("?>")  # openpyxl writes no declaration
                data = (declaration + end + doctype + rest.replace(marker, reference, 1)).encode()
            dst.writestr(info.filename, data)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["laughs", "external"])
def test_word_entities_are_never_expanded(kind, tmp_path):
    """lxml 6 / libxml2 2.14 refuse the amplification, and python-docx's parser resolves no
    entities: nothing expands and nothing from the server's disk comes back."""
    entity = _LAUGHS if kind == "laughs" else _external(tmp_path)
    data = _with_doctype(legit_docx("MARK"), "word/document.xml", "MARK", entity)
    started = time.perf_counter()
    with pytest.raises(ReviewInputError) as refused:
        extract_text(data, "e.docx")
    assert time.perf_counter() - started < 1.0
    assert refused.value.code in ("broken_docx", "empty")
    assert "lollol" not in refused.value.message and "SECRET" not in refused.value.message


@pytest.mark.parametrize("kind", ["laughs", "external"])
def test_workbook_entities_are_never_expanded(kind, tmp_path):
    """openpyxl reads sheets with expat, which (2.4 and later) refuses the amplification and
    fetches no external entity; without defusedxml installed, that is the guard."""
    import openpyxl

    entity = _LAUGHS if kind == "laughs" else _external(tmp_path)
    data = _with_doctype(legit_xlsx([["MARK"]]), "xl/worksheets/sheet1.xml", "MARK", entity)
    started = time.perf_counter()
    with pytest.raises(ElementTree.ParseError):  # expat refuses; the register notes any error
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        list(book.worksheets[0].iter_rows(values_only=True))
    assert time.perf_counter() - started < 1.0
