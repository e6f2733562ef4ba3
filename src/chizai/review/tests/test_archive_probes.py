"""Zip-bomb probes: what ``test_archive_bomb.py`` and ``register/tests/test_bomb.py`` run in a
fresh interpreter to measure an entry point's time and the process's peak memory.

Kept apart from the tests so that a probe loads neither pytest nor factory-boy: the peak it
reports is the entry point's process, not the test tooling's. The bombs are real Office
files (python-docx / openpyxl templates) whose main part inflates to 1 GiB. Nothing here
imports ``chizai.safearchive``: the probes measure entry points, so they run unchanged
against code without the checker.
"""

from __future__ import annotations

import base64
import io
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path
from unittest import mock

GIB = 1024**3
_BLOCK_SIZE = 1 << 20
# A probe that regresses must fail its test, not take the machine with it.
PROBE_ADDRESS_SPACE = 4 * GIB

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOCX_PART = (
    "word/document.xml",
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{_W}"><w:body><w:p><w:r>'
    '<w:t xml:space="preserve">第1条',
    "</w:t></w:r></w:p></w:body></w:document>",
)
XLSX_PART = (
    "xl/worksheets/sheet1.xml",
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_S}"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>',
    "</t></is></c></row></sheetData></worksheet>",
)


# --- the bombs ------------------------------------------------------------------------------


def legit_docx(text: str = "第1条（目的）本契約は、甲が乙に開示する秘密情報の取扱いを定める。") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def legit_xlsx(rows: list[list] | None = None) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows or [["表面粗さ測定結果", 1.6]]:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


class _RepeatedBlock:
    """Stands in for zipfile's deflate compressor while a bomb part is written.

    Deflating 1 GiB takes seconds; a piece of deflate stream ended with Z_FULL_FLUSH refers
    to nothing before it, so the compressed 1 MiB block is made once and repeated. zipfile
    still computes the CRC and sizes of the real data. Were zipfile to stop using this
    attribute, the part would only be deflated for real, slowly."""

    def __init__(self, level: int):
        self.level = level
        self.blocks: dict[int, bytes] = {}

    def _piece(self, data: bytes, mode: int) -> bytes:
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush(mode)

    def compress(self, data: bytes) -> bytes:
        if len(data) == _BLOCK_SIZE:
            if _BLOCK_SIZE not in self.blocks:
                self.blocks[_BLOCK_SIZE] = self._piece(data, zlib.Z_FULL_FLUSH)
            return self.blocks[_BLOCK_SIZE]
        return self._piece(data, zlib.Z_FULL_FLUSH)

    def flush(self) -> bytes:
        return zlib.compressobj(self.level, zlib.DEFLATED, -15).flush()


def _inflate_part(template: bytes, target: Path, part: tuple[str, str, str], size: int, level: int) -> Path:
    """``template`` with ``part`` replaced by an XML body of ``size`` bytes (spaces inside one text run)."""
    name, head, tail = part
    head_b, tail_b = head.encode(), tail.encode()
    block = b" " * _BLOCK_SIZE
    with (
        zipfile.ZipFile(io.BytesIO(template)) as src,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as out,
    ):
        for info in src.infolist():
            if info.filename != name:
                out.writestr(info.filename, src.read(info.filename))
                continue
            with out.open(name, "w", force_zip64=True) as member:
                member._compressor = _RepeatedBlock(level)
                member.write(head_b)
                left = size - len(head_b) - len(tail_b)
                while left >= _BLOCK_SIZE:
                    member.write(block)
                    left -= _BLOCK_SIZE
                member.write(block[:left])
                member.write(tail_b)
    return target


def build_bombs(directory: Path) -> dict[str, Path]:
    """bomb.docx (deflate level 6: ~1 MB, like the reported one) and bomb.xlsx (level 1: ~4.6 MB,
    a ratio near 230), each a valid Office file whose main part inflates to 1 GiB. Kept on disk
    for the session: the review and register tests share them."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"docx": directory / "bomb.docx", "xlsx": directory / "bomb.xlsx"}
    if not paths["docx"].exists():
        _inflate_part(legit_docx(), directory / "partial.docx", DOCX_PART, GIB, 6).rename(paths["docx"])
    if not paths["xlsx"].exists():
        _inflate_part(legit_xlsx(), directory / "partial.xlsx", XLSX_PART, GIB, 1).rename(paths["xlsx"])
    return paths


# --- measuring in a fresh interpreter -------------------------------------------------------


def peak_mb() -> float:
    """This process's peak resident memory in MB.

    ``ru_maxrss`` is not enough on Linux: a process started from a big one (a test worker
    that has grown to 300 MB) inherits the parent's high-water mark through fork and exec,
    so the probe would report the worker's size. ``VmHWM`` is the peak of this process's
    own address space, which starts fresh at exec; ``resource`` stays the fallback."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(call, expected: type[BaseException]) -> dict:
    """Run ``call``; what it raised (it should raise ``expected``), how long it took, the peak after."""
    started = time.perf_counter()
    try:
        outcome = f"accepted: {call()!r}"
    except expected as exc:
        outcome = f"refused: {exc}"
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        outcome = f"crashed: {type(exc).__name__}: {exc}"
    return {
        "seconds": round(time.perf_counter() - started, 4),
        "outcome": outcome[:400],
        "peak_mb": round(peak_mb(), 1),
    }


def _limit_address_space():
    resource.setrlimit(resource.RLIMIT_AS, (PROBE_ADDRESS_SPACE, PROBE_ADDRESS_SPACE))


def _probe_env(home: Path | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "CHIZAI_", "DJANGO_"))}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[3])  # src/, so the code under test is this tree
    if home is not None:
        env.update(
            DJANGO_SETTINGS_MODULE="chizai.settings",
            CHIZAI_HOME=str(home),
            CHIZAI_SECRET_KEY="test-only",
            CHIZAI_MASTER_KEY=base64.b64encode(b"k" * 32).decode(),
        )
    return env


def run_probe(target: str, *args, home: Path | None = None) -> dict:
    """``module:function`` called with ``args`` in a new interpreter; returns what it returned (JSON)."""
    module, function = target.split(":")
    code = f"import json, sys\nfrom {module} import {function}\nprint('PROBE', json.dumps({function}(*sys.argv[1:])))"
    res = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env=_probe_env(home),
        preexec_fn=_limit_address_space,
    )
    lines = [line for line in res.stdout.splitlines() if line.startswith("PROBE ")]
    assert res.returncode == 0 and lines, (
        f"probe failed ({res.returncode}):\n{res.stdout[-2000:]}\n{res.stderr[-4000:]}"
    )
    return json.loads(lines[-1][len("PROBE ") :])


# --- probes (run in the fresh interpreter) ----------------------------------------------------


def setup_django() -> tuple:
    """Django on a new SQLite database, English, and an owner in an organisation.

    The tables come from the models (syncdb), not the migrations: rendering the migration
    states alone peaks near 200 MB and takes seconds. What the migrations add (triggers,
    full-text tables) guards rows and feeds search; no entry point measured here needs it."""
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import translation

    from chizai.core.models import Membership, Organization

    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", verbosity=0, run_syncdb=True)
    settings.MEDIA_ROOT = settings.CHIZAI_HOME / "files"
    translation.activate("en")
    owner = get_user_model().objects.create_user("owner1", password=None)  # no hashing: argon2 alone peaks near 100 MB
    org = Organization.objects.create(
        slug="acme", name_ja="テスト工業株式会社", name_en="Test Kogyo", prefecture="愛知県", industry="machining"
    )
    Membership.objects.create(user=owner, organization=org, role="owner")
    return owner, org


def engine_probe(path: str) -> dict:
    from chizai.review.engine import ReviewInputError, extract_text, load_document

    data = Path(path).read_bytes()
    report = {"warm": timed(lambda: len(extract_text(legit_docx(), "legit.docx").text), ReviewInputError)}
    report["extract_text"] = timed(lambda: extract_text(data, "bomb.docx"), ReviewInputError)
    report["load_document"] = timed(lambda: load_document(data, "bomb"), ReviewInputError)  # sniffed, no suffix
    return report


def review_probe(path: str) -> dict:
    owner, org = setup_django()
    from chizai.core.services import ChizaiError
    from chizai.deals import services as deals
    from chizai.disclosure import services as disclosure
    from chizai.disclosure.models import Partner
    from chizai.review import services as review
    from chizai.review.models import ContractReview

    data = Path(path).read_bytes()
    partner = Partner.objects.create(
        organization=org,
        name_ja="東海オートパーツ株式会社",
        name_en="Tokai Auto Parts",
        kind=Partner.Kind.TIER1,
        created_by=owner,
    )
    agreement, _warnings = disclosure.create_agreement(
        owner, org, partner.pk, title="秘密保持契約", type="NDA", direction="mutual", status="draft"
    )
    deal = deals.create_deal(owner, org, partner=partner, title="樹脂ギア共同開発", kind="joint_rd")
    report = {"warm": timed(lambda: review.validate_input(legit_docx(), "legit.docx", {}).language, ChizaiError)}
    report["review_validate"] = timed(lambda: review.validate_input(data, "bomb.docx", {}), ChizaiError)
    report["review_submit"] = timed(
        lambda: review.submit_review(owner, org, filename="bomb.docx", data=data), ChizaiError
    )
    report["agreement_file"] = timed(
        lambda: disclosure.attach_file(owner, org, agreement.pk, filename="bomb.docx", data=data), ChizaiError
    )
    report["deal_draft"] = timed(lambda: deals.add_draft(owner, deal, filename="bomb.docx", data=data), ChizaiError)
    agreement.refresh_from_db()
    report["stored"] = {
        "reviews": ContractReview.objects.count(),
        "agreement_file": agreement.file_name,
        "drafts": deal.drafts.count(),
    }
    return report


def register_upload_probe(docx_path: str, xlsx_path: str) -> dict:
    owner, org = setup_django()
    from chizai.core.services import ChizaiError
    from chizai.register import services

    asset = services.create_asset(owner, org, title_ja="作業標準", classification="confidential")
    report = {
        "warm": timed(
            lambda: services.upload_version(owner, org, asset.pk, io.BytesIO(legit_docx()), name="legit.docx").size,
            ChizaiError,
        )
    }
    for kind, path in (("docx", docx_path), ("xlsx", xlsx_path)):
        with open(path, "rb") as handle:
            report[f"upload_{kind}"] = timed(
                lambda handle=handle, kind=kind: services.upload_version(
                    owner, org, asset.pk, handle, name=f"bomb.{kind}"
                ),
                ChizaiError,
            )
    return report


def register_index_probe(docx_path: str) -> dict:
    """The indexer on a bomb stored before uploads were measured (or under a higher limit),
    then on a legit file in the same process (it still indexes)."""
    owner, org = setup_django()
    from chizai.core.services import ChizaiError
    from chizai.register import extract, services

    legit = services.create_asset(owner, org, title_ja="焼入れ条件", classification="internal")
    services.upload_version(owner, org, legit.pk, io.BytesIO(legit_docx()), name="legit.docx")
    old = services.create_asset(owner, org, title_ja="古い図面", classification="internal")
    # ``create``: without the checker (before the fix) the upload stores the bomb anyway
    with open(docx_path, "rb") as handle, mock.patch.object(extract, "unpack_refusal", return_value="", create=True):
        bomb = services.upload_version(owner, org, old.pk, handle, name="old-bomb.docx")
    # the bomb first, in a worker whose tokenizer is loaded (SudachiPy's dictionary is some
    # 90 MB of any indexing process): its step must not raise the peak above what the process
    # had before it; the legit file after, to show the process still indexes
    from chizai.register import search

    list(search.tokens("焼入れ条件"))  # a worker that has indexed before: the dictionary is loaded
    report = {"before": {"peak_mb": round(peak_mb(), 1)}}
    report["index"] = timed(lambda: services.index_asset(old.pk)["chunks"], ChizaiError)
    bomb.refresh_from_db()
    report["index_note"] = bomb.extracted_note
    report["warm"] = timed(lambda: services.index_asset(legit.pk)["chunks"], ChizaiError)
    return report


def register_excel_probe(xlsx_path: str) -> dict:
    owner, org = setup_django()
    from chizai.core.services import ChizaiError
    from chizai.register import excel, services

    services.create_asset(owner, org, title_ja="切削条件", classification="internal")
    export = excel.export_register(owner, org)
    report = {"warm": timed(lambda: excel.import_register(owner, org, io.BytesIO(export)).ok, ChizaiError)}
    with open(xlsx_path, "rb") as handle:
        report["excel_import"] = timed(
            lambda: [e[2] for e in excel.import_register(owner, org, handle).errors], ChizaiError
        )
    return report
