"""Public API of the reviewer: load a document, review it, get a Report.

    doc = load_document(data, "contract.pdf")
    report = review_document(doc)
    print(report.to_dict())

The rules engine is reached through exactly one call,
``chizai.review.engine.rules.evaluate(doc) -> (findings, checklist)``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from . import bilingual
from .assist import withdraw_contradicted_absences
from .detect import (
    assess_sme,
    detect_contract_types_detailed,
    detect_language,
    detection_summary,
    find_parties,
    resolve_contract_types,
    set_roles,
)
from .document import Document, Report, ReviewInputError
from .extract import DEFAULT_MAX_BYTES, DEFAULT_MAX_CHARS, check_text, clean_text, extract_text
from .layout import attach_quotes, reading_notes
from .messages import disclaimer as _disclaimer
from .messages import detection_note, msg
from .normalize import normalize
from .structure import segment

_SEVERITY_ORDER = {"HIGH": 0, "MEDIUM": 1, "LOW": 2}


def load_document(
    data: bytes | str,
    filename: str,
    *,
    lang: str = "auto",
    sme: str | None = None,
    contract_type: str | list[str] = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Document:
    """Extract, normalise, segment and detect; raises ``ReviewInputError`` on bad input.

    ``data`` is the file's bytes, or already-extracted text (pasted text).
    ``lang`` is auto/ja/en, ``sme`` a party label that overrides detection,
    ``contract_type`` auto, a code (NDA, MFG, PROTO, JRD, DEV, LIC) or a list of codes.
    """
    t0 = time.perf_counter()
    name = filename or "document"
    if isinstance(data, str):
        if len(data) > max_chars * 2:
            raise ReviewInputError(
                "too_large", f"{name}: the text has {len(data):,} characters; the limit is {max_chars:,}."
            )
        text = clean_text(data)
        check_text(text, name, max_chars)
        warnings: list[str] = []
        pages = None
        fmt = "markdown" if name.lower().endswith((".md", ".markdown")) else "text"
    elif isinstance(data, (bytes, bytearray, memoryview)):
        ex = extract_text(bytes(data), name, max_bytes=max_bytes, max_chars=max_chars)
        text, warnings, pages, fmt = ex.text, ex.warnings, ex.pages, ex.format
    else:
        raise ReviewInputError("unsupported_type", f"{name}: expected bytes or text, got {type(data).__name__}.")

    if lang in (None, "", "auto"):
        language = detect_language(text, name)
    elif lang in ("ja", "en"):
        language = "ja" if lang == "ja" else "en"
    else:
        raise ReviewInputError("unknown_language", f"{name}: language must be auto, ja or en (got {lang!r}).")

    norm, n2o = normalize(text)
    segments, title = segment(text, norm, n2o, language)
    # parties and type are read from contract text only, never from commentary
    contract_text = text
    if any(s.is_commentary for s in segments):
        contract_text = "\n".join(s.text for s in segments if s.parent is None and not s.is_commentary)
    type_found = detect_contract_types_detailed(contract_text, title)
    types = (
        resolve_contract_types(contract_type, contract_text, title)
        if contract_type not in (None, "", "auto")
        else type_found.types
    )
    parties = find_parties(contract_text, language)
    sme_choice = assess_sme(parties, contract_text, types, language, sme)
    sme_label = sme_choice.label
    set_roles(parties, sme_label)
    doc = Document(
        text=text,
        norm=norm,
        norm_to_orig=n2o,
        language=language,
        segments=segments,
        contract_types=types,
        parties=parties,
        sme_label=sme_label,
        filename=name,
        warnings=list(warnings),
        title=title,
        pages=pages,
        source_format=fmt,
    )
    doc.detection = detection_summary(
        type_found, "detected" if contract_type in (None, "", "auto") else "given", parties, sme_choice, sme
    )
    doc.detection["note"] = detection_note(language, doc.detection)
    doc.load_ms = (time.perf_counter() - t0) * 1000.0
    return doc


def rules_evaluator():
    """The rules engine's ``evaluate`` or None while that module does not exist yet.

    Imported here, not at the top, on purpose: this function is the seam tests replace, and a
    rules module that fails to import must not stop ``load_document`` (not a start-up reason).
    """
    try:
        from chizai.review.engine.rules import evaluate
    except ImportError as exc:
        # Only a missing rules module is tolerated (it is developed in parallel);
        # any other import failure inside it is a real bug and must surface.
        if getattr(exc, "name", None) == "chizai.review.engine.rules":
            return None
        raise
    return evaluate


def review_document(doc: Document, *, evaluate=None, assist: bool = True, bilingual_views: bool = True) -> Report:
    """Review a loaded document: findings sorted by severity, summary and disclaimer.

    ``evaluate`` replaces the rules engine (same signature as
    ``chizai.review.engine.rules.evaluate``); tests and experiments use it. A bilingual
    contract is reviewed once per language and merged (bilingual.py) unless
    ``bilingual_views`` is False (which is how each language's view is reviewed).
    """
    if bilingual_views:
        merged = _review_bilingual(doc, evaluate=evaluate, assist=assist)
        if merged is not None:
            merged.reading = reading_notes(doc, merged.language, languages=merged.languages) + merged.reading
            return merged
    t0 = time.perf_counter()
    fn = evaluate if evaluate is not None else rules_evaluator()
    if fn is None:
        findings, checklist, engine = [], [], False
    else:
        found, checks = fn(doc)
        findings, checklist, engine = list(found), list(checks), True
    notes: list[str] = []
    if engine and assist:
        findings, notes = withdraw_contradicted_absences(doc, findings)
    findings.sort(key=lambda f: (_SEVERITY_ORDER.get(f.severity, 9), f.span[0] if f.span else 1 << 30))
    attach_quotes(doc, findings)
    elapsed = doc.load_ms + (time.perf_counter() - t0) * 1000.0
    report = Report(
        file=doc.filename or "document",
        language=doc.language,
        contract_type=list(doc.contract_types),
        sme_party=doc.sme_label,
        findings=findings,
        checklist=checklist,
        elapsed_ms=round(elapsed, 1),
        notes=notes,
        detection=getattr(doc, "detection", None),
        document=doc,
        languages=[doc.language],
        reading=reading_notes(doc, doc.language),
    )
    report.summary = build_summary(report, engine_present=engine)
    if notes:
        report.summary += "\n" + "\n".join(notes)
    report.disclaimer = _disclaimer(doc.language)
    return report


def _review_bilingual(doc: Document, *, evaluate=None, assist: bool = True) -> Report | None:
    """The merged report of a bilingual document, or None when it is not bilingual (or a
    view cannot be reviewed on its own: then the caller reviews it as one language)."""
    views = bilingual.split_views(doc.text)
    if views is None:
        return None
    given_sme = ((doc.detection or {}).get("sme") or {}).get("given")
    types_given = (doc.detection or {}).get("types", {}).get("source") == "given"
    reports: dict[str, Report] = {}
    for view in views:
        try:
            sub = load_document(
                view.text,
                doc.filename or "document",
                lang=view.language,
                sme=given_sme,
                contract_type=list(doc.contract_types) if types_given else "auto",
            )
        except ReviewInputError:
            return None
        if sub.text != view.text:
            return None  # the text was cleaned again: offsets would not map back
        rep = review_document(sub, evaluate=evaluate, assist=assist, bilingual_views=False)
        for f in rep.findings:
            bilingual.map_finding(f, view, doc.text)
        reports[view.language] = rep
    report = bilingual.merge_reports(doc, reports)
    report.summary = build_summary(report)
    if report.notes:
        report.summary += "\n" + "\n".join(report.notes)
    return report


def build_summary(report: Report, *, engine_present: bool = True) -> str:
    """A summary a busy owner reads in 30 seconds, in the document's language."""
    lang = report.language
    counts = {"HIGH": 0, "MEDIUM": 0, "LOW": 0}
    for f in report.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    lines = [
        msg(lang, "summary_head", file=os.path.basename(report.file)),
        msg(
            lang,
            "summary_type",
            types=", ".join(report.contract_type) or "-",
            sme=report.sme_party or msg(lang, "summary_sme_unknown"),
        ),
        msg(
            lang,
            "summary_counts",
            total=len(report.findings),
            high=counts["HIGH"],
            medium=counts["MEDIUM"],
            low=counts["LOW"],
        ),
    ]
    if not engine_present:
        lines.append(msg(lang, "summary_no_rules"))
    if report.findings:
        lines.append(msg(lang, "summary_top"))
        for i, f in enumerate(report.findings[:3], 1):
            lines.append(
                msg(
                    lang,
                    "summary_top_item",
                    n=i,
                    severity=msg(lang, f"severity_{f.severity}"),
                    title=f.title,
                    clause=f.clause or msg(lang, "no_clause"),
                )
            )
    elif engine_present:
        lines.append(msg(lang, "summary_none"))
    missing = [c for c in report.checklist if c.status in ("missing", "weak")]
    if missing:
        sep = "、" if lang == "ja" else "; "
        items = sep.join(
            f"{c.item}（{msg(lang, 'status_' + c.status)}）"
            if lang == "ja"
            else f"{c.item} ({msg(lang, 'status_' + c.status)})"
            for c in missing
        )
        lines.append(msg(lang, "summary_missing", items=items))
    elif report.checklist:
        lines.append(msg(lang, "summary_missing_none"))
    return "\n".join(lines)


def review_text(
    text: str,
    filename: str = "pasted.txt",
    *,
    lang: str = "auto",
    sme: str | None = None,
    contract_type: str | list[str] = "auto",
    evaluate=None,
) -> Report:
    """Review pasted text."""
    return review_document(
        load_document(text, filename, lang=lang, sme=sme, contract_type=contract_type), evaluate=evaluate
    )


def review_bytes(
    data: bytes,
    filename: str,
    *,
    lang: str = "auto",
    sme: str | None = None,
    contract_type: str | list[str] = "auto",
    evaluate=None,
) -> Report:
    """Review an uploaded file's bytes."""
    return review_document(
        load_document(data, filename, lang=lang, sme=sme, contract_type=contract_type), evaluate=evaluate
    )


def review_file(
    path: str | os.PathLike,
    *,
    lang: str = "auto",
    sme: str | None = None,
    contract_type: str | list[str] = "auto",
    evaluate=None,
) -> Report:
    """Review a file on disk."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ReviewInputError("not_found", f"{p}: file not found.") from None
    except IsADirectoryError:
        raise ReviewInputError("unsupported_type", f"{p}: is a directory, not a file.") from None
    except PermissionError:
        raise ReviewInputError("not_found", f"{p}: permission denied.") from None
    return review_bytes(data, str(p), lang=lang, sme=sme, contract_type=contract_type, evaluate=evaluate)
