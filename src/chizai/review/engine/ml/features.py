"""Tokens for the sparse linear models — one function used both in training and at runtime.

Training hands :func:`analyze` to scikit-learn as a callable analyzer, and the runtime
re-implements only the TF-IDF arithmetic on top of it, so the two can never drift apart
(sklearn's own analyzers would have to be re-implemented bit for bit otherwise).
"""

from __future__ import annotations

import re
import unicodedata

# Latin words (with 's / n't), runs of kana/kanji, and the punctuation that ends a
# negation scope. Japanese runs are kept whole: the n-gram models are English-only and
# the multilingual heads, not these tokens, handle Japanese.
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u3040-\u30ff\u3400-\u9fff]+|[,;:.()]")

# Negation cues open a short scope; words inside it get a "!" prefix so that
# "shall not be required to return" and "shall return" end up far apart.
_NEG = frozenset(
    ["not", "no", "nor", "neither", "never", "nothing", "none", "without", "cannot", "neither", "n't", "except"]
)
_SCOPE = 6
_SCOPE_END = frozenset([",", ";", ":", ".", "(", ")"])

# Hand-made keyword groups: pseudo-tokens that pool synonyms the small training
# sets see too rarely one by one. Each is a regex on the lowercased text.
KEYWORD_GROUPS: dict[str, str] = {
    "RETURN_DESTROY": r"\b(return|destroy|destruction|erase|delete|purge)",
    "RETAIN": r"\b(retain|keep|archiv|back-?up)",
    "SURVIVE": r"\b(surviv|remain in (full )?(force|effect)|continue in (full )?(force|effect)|after (the )?(termination|expiration))",
    "INDEP_DEV": r"\b(independent(ly)? develop|developed independently|independently (conceived|created|derived))",
    "THIRD_PARTY": r"\b(third part|consultant|advis|agent|contractor|affiliate|representative)",
    "EMPLOYEE": r"\b(employee|staff|personnel|officer|director)",
    "NEED_TO_KNOW": r"need(s)? to know",
    "LICENSE": r"\b(licen[cs]|right,? title|any rights? (in|to)|grant(ed|s)? .{0,30}right)",
    "ORAL": r"\b(oral(ly)?|verbal(ly)?|visual(ly)?|spoken)",
    "MARKED": r"\b(marked|designated|identified|labell?ed|stamped|legend)\b",
    "WRITING": r"\b(in writing|written)",
    "COMPELLED": r"\b(subpoena|court order|required by law|compelled|legal process|judicial|regulat)",
    "NOTICE": r"\b(notif|notice|promptly inform|advise)",
    "REVERSE": r"\b(reverse engineer|decompil|disassembl)",
    "SOLICIT": r"\b(solicit|hire|employ|recruit)",
    "COPY": r"\b(cop(y|ies)|reproduc|duplicat)",
    "PURPOSE": r"\b(purpose|solely|only for|exclusively for)",
    "TECHNICAL": r"\b(technical|technolog|scientific|engineering)",
    "BUSINESS": r"\b(business|financial|commercial|marketing|customer)",
    "EXISTENCE": r"\b(existence|terms of this agreement|fact that|discussions|negotiations)",
    "PERMIT": r"\b(may|permitted|entitled|allowed|free to|right to)\b",
    "OBLIGE": r"\b(shall|must|agrees? to|undertakes?|obligat)",
    "SIMILAR": r"\b(similar|compet|same or similar)",
    "ACQUIRE": r"\b(receiv|obtain|acquir).{0,40}third part",
    "IP_ASSIGN": r"\b(assign|hereby assigns|vest|belong|sole (and exclusive )?property|own(ership)?)",
    "JOINT": r"\b(joint(ly)?|co-?own|both parties)",
    "NON_TRANSFER": r"\b(non-?transferr?able|not (be )?(assign|transfer)|non-?assignable|non-?sublicens)",
    "PERPETUAL": r"\b(perpetual|irrevocable|in perpetuity)",
    "CAP": r"\b(in no event|shall not exceed|limited to|aggregate liability|maximum liability|cap)",
    "UNCAPPED": r"\b(shall not apply|exclud.{0,20}limitation|notwithstanding .{0,40}limitation|unlimited)",
    "SUE": r"\b(not (to )?sue|covenant.{0,20}sue|challenge|contest)",
    "NONCOMPETE": r"\b(compet|non-?compet)",
    "EXCLUSIVE": r"\b(exclusive|exclusively|sole)",
    "AUDIT": r"\b(audit|inspect|books and records|examin)",
}
_KW = [(name, re.compile(rx)) for name, rx in KEYWORD_GROUPS.items()]


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace("’", "'")


def analyze(text: str) -> list[str]:
    """Word unigrams and bigrams with negation scope, plus keyword-group tokens."""
    t = normalise(text)
    out: list[str] = []
    words: list[str] = []
    scope = 0
    for m in _TOKEN.finditer(t):
        w = m.group(0)
        if w in _SCOPE_END:
            scope = 0
            words.append("|")
            continue
        if w in _NEG or w.endswith("n't"):
            scope = _SCOPE
            words.append(w)
            out.append("__NEG__")
            continue
        if scope:
            scope -= 1
            out.append("!" + w)
        words.append(w)
    prev = None
    for w in words:
        if w == "|":
            prev = None
            continue
        out.append(w)
        if prev is not None:
            out.append(prev + " " + w)
        prev = w
    for name, rx in _KW:
        if rx.search(t):
            out.append("__KW_" + name + "__")
            if "__NEG__" in out:
                out.append("__KWNEG_" + name + "__")
    return out
