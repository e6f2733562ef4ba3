"""A tiny stand-in for the real extraction/structure pipeline, used by rule tests.

The rule engine only needs a ``Document`` with clause segments. Rule cases must not
depend on the structure module's segmentation choices (a one-line case must never be
taken for a title), so this builds a plain one: the pipeline's normaliser, one segment
per non-empty line, article tracking, clause headings, and crude model-contract
commentary detection for Markdown. ``long_contract`` makes the 60k-character text of
the speed budget. The benchmark itself uses the real pipeline.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from .document import Document, Party, Segment

_JA_ART = re.compile(r"^\s*(第\s*[0-9０-９一二三四五六七八九十百]+\s*条)")
_EN_ART = re.compile(r"^\s*(?:(?:Article|Section|Clause)\s+)?([0-9]{1,2}(?:\.[0-9]{1,2})*)[.)]?\s+\S")
_HEADING = re.compile(
    r"^\s*(?:第\s*[0-9０-９一二三四五六七八九十百]+\s*条\s*[（(][^）)]{1,30}[）)]"
    r"|(?:(?:Article|Section|Clause)\s+)?[0-9]{1,2}(?:\.[0-9]{1,2})*[.)]?\s+[A-Z][A-Za-z ,/&-]{0,60})\s*$"
)
_JA_LABEL = re.compile(r"以下[「『]([^」』]{1,10})[」』]という")
_EN_LABEL = re.compile(r"\((?:the\s+)?[\"“]([A-Z][A-Za-z]{1,20})[\"”]\)")
_EN_ROLE = {
    "Buyer",
    "Purchaser",
    "Customer",
    "Company",
    "Licensee",
    "Licensor",
    "Supplier",
    "Seller",
    "Contractor",
    "Vendor",
    "Startup",
    "Partner",
    "Client",
    "Manufacturer",
    "Developer",
}
_JA_ROLE_SME = ("乙", "受託者", "受注者", "供給者", "中小受託事業者", "下請事業者")
_JA_LARGE_OF = {"受託者": "委託者", "委託者": "受託者", "受注者": "発注者", "発注者": "受注者", "甲": "乙", "乙": "甲"}
_EN_LARGE_OF = {
    "Supplier": "Buyer",
    "Seller": "Buyer",
    "Contractor": "Company",
    "Licensor": "Licensee",
    "Licensee": "Licensor",
    "Startup": "Company",
    "Partner": "Company",
    "Vendor": "Customer",
}


def normalise(text: str) -> tuple[str, list[int]]:
    """The pipeline's normaliser (variant folding, NFKC) with its norm->orig map.

    Falls back to per-character NFKC only if the normaliser cannot be imported."""
    try:
        from .normalize import normalize
    except ImportError:  # pragma: no cover
        return _nfkc(text)
    return normalize(text)


def _nfkc(text: str) -> tuple[str, list[int]]:
    """NFKC per character, keeping a norm->orig index map (len(norm)+1 entries)."""
    out: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        if ch == "\u3000":
            n = " "
        for c in n:
            out.append(c)
            idx.append(i)
    idx.append(len(text))
    return "".join(out), idx


def _guess_language(text: str) -> Literal["ja", "en"]:
    ja = sum(1 for c in text[:4000] if "\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff")
    return "ja" if ja > 20 else "en"


def _labels(text: str, lang: str) -> list[str]:
    head = text[:3000]
    if lang == "ja":
        return list(
            dict.fromkeys(
                m.group(1)
                for m in _JA_LABEL.finditer(head)
                if len(m.group(1)) <= 6 and "契約" not in m.group(1) and "本" not in m.group(1)[:1]
            )
        )
    found = []
    for m in _EN_LABEL.finditer(head):
        lab = m.group(1)
        before = head[max(0, m.start() - 90) : m.start()]
        if (
            lab in _EN_ROLE or re.search(r"(Co\.|Corp|K\.K\.|Inc\.|Ltd\.|Corporation|incorporated)", before)
        ) and lab not in ("Agreement", "Party", "Parties", "PO"):
            found.append(lab)
    return list(dict.fromkeys(found))


def fallback_document(
    text: str,
    lang: Literal["ja", "en"] | None = None,
    types: list[str] | None = None,
    sme: str | None = None,
    filename: str | None = None,
) -> Document:
    """Line-based Document: good enough for rule tests and as a benchmark fallback."""
    lang = lang or _guess_language(text)
    norm, n2o = normalise(text)
    import bisect

    def o2n_at(pos: int) -> int:
        return bisect.bisect_left(n2o, pos, 0, len(norm))

    segments: list[Segment] = []
    article: str | None = None
    commentary = False
    pos = 0
    para = 0
    md = bool(re.search(r"^#{1,4} ", text, re.M))
    for line in text.splitlines(keepends=True):
        start, end = pos, pos + len(line.rstrip("\r\n"))
        pos += len(line)
        body = text[start:end]
        if not body.strip():
            continue
        if md and body.startswith("#"):
            h = body.lstrip("#").strip()
            level = len(body) - len(body.lstrip("#"))
            commentary = level > 2 or not re.match(r"(前文|第\s*[0-9０-９]+\s*条|締結の証|別紙)", h)
            m = _JA_ART.match(h)
            if m and level <= 2:
                article, para = m.group(1), 0
            continue
        m = _JA_ART.match(body) if lang == "ja" else _EN_ART.match(body)
        if m:
            # "6.2" belongs to Section 6: the article is the top-level number
            if lang == "ja":
                article, para = m.group(1), 0
                ref = article
            else:
                num = m.group(1)
                if "." not in num or article != f"Section {num.split('.')[0]}":
                    article, para = f"Section {num.split('.')[0]}", 0
                ref = f"Section {num}"
        else:
            para += 1
            ref = f"{article}第{para}項" if (article and lang == "ja") else (f"{article}({para})" if article else None)
        ns, ne = o2n_at(start), o2n_at(end)
        # a line that is only a clause number and its title is a heading, not text
        kind: Literal["heading", "paragraph"] = "heading" if m and _HEADING.match(body) else "paragraph"
        segments.append(
            Segment(
                kind=kind,
                start=start,
                end=end,
                text=body,
                norm=norm[ns:ne],
                ref=ref,
                article=article,
                is_commentary=commentary,
            )
        )
    labels = _labels(text, lang)
    parties = [Party(label=lab) for lab in labels[:2]]
    if sme is None:
        for lab in labels:
            if lab in _JA_ROLE_SME or lab in ("Supplier", "Seller", "Contractor", "Vendor", "Startup"):
                sme = lab
                break
        if sme is None and lang == "ja" and "乙" in text:
            sme = "乙"
    for p in parties:
        p.role = "SME" if p.label == sme else "LARGE"
    if sme and not any(p.label == sme for p in parties):
        parties.append(Party(label=sme, role="SME"))
    if sme and not any(p.role == "LARGE" for p in parties):
        other = (_JA_LARGE_OF if lang == "ja" else _EN_LARGE_OF).get(sme)
        if other:
            parties.append(Party(label=other, role="LARGE"))
    return Document(
        text=text,
        norm=norm,
        norm_to_orig=n2o,
        language=lang,
        segments=segments,
        contract_types=list(types or []),
        parties=parties,
        sme_label=sme,
        filename=filename,
    )


def make_document(
    text: str,
    lang: Literal["ja", "en"] | None = None,
    types: list[str] | None = None,
    sme: str | None = None,
    filename: str | None = None,
) -> Document:
    """Always the line-based fallback, so rule cases stay independent of the structure
    module's segmentation choices (a one-line case must never become a title)."""
    return fallback_document(text, lang, types, sme, filename)


_EN_CLAUSES = [
    "{n}. Confidentiality\n{n}.1 Each Party shall keep confidential all technical information received from the other Party, use it only for the Project and disclose it only to employees who need to know it.\n{n}.2 On termination each Party shall return or destroy the other Party's information and certify this in writing.",
    "{n}. Ownership\n{n}.1 All Results made in the course of the Project shall vest in the Company, whether made solely by the Supplier or jointly.\n{n}.2 The Supplier hereby assigns to the Company all right, title and interest in the Results without further consideration.",
    "{n}. Technical Documentation\nUpon the Company's request, the Supplier shall provide the drawings, process parameters and CNC programs at no additional cost, and the Company may disclose them to any alternate supplier.",
    "{n}. Warranty\nThe Supplier warrants that the Products do not and will not infringe any patent of any third party and shall indemnify, defend and hold harmless the Company at the Supplier's sole cost and expense.",
    "{n}. Prices\nUnit prices are agreed in writing and reviewed once a year by mutual discussion; either Party may request a renegotiation if costs change materially.",
    "{n}. Term\nThis Agreement has a term of three (3) years. The obligations in the confidentiality clause survive for five (5) years after termination.",
]
_JA_CLAUSES = [
    "第{n}条（秘密保持）\n1　甲及び乙は、相手方から開示を受けた技術上の情報を秘密として保持し、本契約の目的以外に使用してはならない。\n2　甲及び乙は、秘密情報を知る必要のある役員及び従業員に限り開示することができる。",
    "第{n}条（成果の帰属）\n本研究の遂行により生じた発明（乙が単独でなしたものを含む。）に係る特許を受ける権利その他の知的財産権は、すべて甲に帰属する。",
    "第{n}条（図面の提出）\n乙は、金型図面、CADデータ及び成形条件表の一式を甲に提出する。これらの対価は金型代金に含まれるものとする。",
    "第{n}条（保証）\n乙は、本製品が第三者の特許権その他の知的財産権を侵害しないことを保証し、自己の責任と費用負担においてこれを解決する。",
    "第{n}条（代金）\n個別契約における代金は、乙の見積書を基礎として甲乙協議の上決定する。",
    "第{n}条（存続）\n本契約の終了後も、秘密保持の規定は5年間なお効力を有する。",
]


def long_contract(lang: str = "ja", n_chars: int = 60_000) -> str:
    """A synthetic contract of about ``n_chars`` characters with numbered clauses, some
    unfair and some fair, for the speed budget (60k characters in under 500 ms)."""
    head = (
        "取引基本契約書\n\n株式会社大手（以下「甲」という。）と株式会社中小（以下「乙」という。）は、次のとおり契約を締結する。\n\n"
        if lang == "ja"
        else 'MASTER AGREEMENT\n\nThis Agreement is made between Big Corp. (the "Company") and Small Works Co., Ltd. (the "Supplier").\n\n'
    )
    clauses = _JA_CLAUSES if lang == "ja" else _EN_CLAUSES
    parts, n, size = [head], 1, len(head)
    while size < n_chars:
        c = clauses[(n - 1) % len(clauses)].format(n=n) + "\n\n"
        parts.append(c)
        size += len(c)
        n += 1
    return "".join(parts)[:n_chars]
