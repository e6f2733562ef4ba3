"""``chizai review FILE...`` — the command-line front of the reviewer.

``run()`` is what the typer command in ``chizai/cli.py`` calls; ``python -m
chizai.review.engine.cli`` works without Django. Imports are kept lazy so a cold
start plus one review stays well under three seconds.
"""

from __future__ import annotations

import os
import sys
import tempfile
import contextlib

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _write_atomic(path: str, data: str | bytes) -> None:
    """Write to a temp file beside ``path`` and rename it, so no half file is left."""
    target = os.path.abspath(path)
    folder = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix=".chizai-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def run(
    files: list[str],
    type: str = "auto",  # noqa: A002 - mirrors the --type option
    sme: str | None = None,
    lang: str = "auto",
    fmt: str = "text",
    out: str | None = None,
    color: bool | None = None,
    docx_out: str | None = None,
    comment_lang: str = "ja",
    author: str = "chizai",
) -> int:
    """Review ``files`` and print or write the report; returns the exit code.

    0: every file was reviewed. 2: bad input (unreadable file, unsupported type,
    unknown language, bad option); a one-line reason per file goes to stderr and
    nothing is written. ``docx_out`` also writes the contract as a Word file with each
    finding as a comment in ``comment_lang`` (one input file only).
    """
    from .document import ReviewInputError
    from .pipeline import review_file
    from .render import FORMATS, render

    if not files:
        print("chizai review: no input file given", file=sys.stderr)
        return EXIT_BAD_INPUT
    if fmt not in FORMATS:
        print(f"chizai review: unknown format '{fmt}' (use {', '.join(FORMATS)})", file=sys.stderr)
        return EXIT_BAD_INPUT
    if lang not in ("auto", "ja", "en"):
        print(f"chizai review: unknown language '{lang}' (use auto, ja or en)", file=sys.stderr)
        return EXIT_BAD_INPUT
    if docx_out and (len(files) != 1 or comment_lang not in ("ja", "en")):
        print("chizai review: --docx-out takes one input file and --comment-lang ja or en", file=sys.stderr)
        return EXIT_BAD_INPUT
    reports = []
    failed = False
    for path in files:
        try:
            reports.append(review_file(path, lang=lang, sme=sme, contract_type=type))
        except ReviewInputError as exc:
            failed = True
            message = exc.message if exc.message.startswith(str(path)) else f"{path}: {exc.message}"
            print(f"chizai review: {message} [{exc.code}]", file=sys.stderr)
    if failed:
        return EXIT_BAD_INPUT
    if docx_out:
        from .docx_out import commented_docx

        with open(files[0], "rb") as fh:
            head = fh.read(4)
        source = None
        if head == b"PK\x03\x04" and str(files[0]).lower().endswith(".docx"):
            with open(files[0], "rb") as fh:
                source = fh.read()
        try:
            _write_atomic(docx_out, commented_docx(reports[0], source=source, lang=comment_lang, author=author))
        except OSError as exc:
            print(f"chizai review: cannot write {docx_out}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    if fmt == "text" and color is None:
        color = out is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    payload = render(reports if (len(reports) > 1 or fmt != "json") else reports[0], fmt, color=bool(color))
    if out:
        try:
            _write_atomic(out, payload)
        except OSError as exc:
            print(f"chizai review: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        return EXIT_OK
    if isinstance(payload, bytes):
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(payload if payload.endswith("\n") else payload + "\n")
        sys.stdout.flush()
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="chizai review", description="Review contracts for SME know-how risks.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--type", default="auto", help="auto|NDA|MFG|PROTO|JRD|DEV|LIC")
    parser.add_argument("--sme", default=None, help="label of the SME party (乙, Supplier …)")
    parser.add_argument("--lang", default="auto", choices=["auto", "ja", "en"])
    parser.add_argument("--format", dest="fmt", default="text", choices=["text", "json", "html", "pdf"])
    parser.add_argument("--out", default=None, help="write the report here (atomically)")
    parser.add_argument("--docx-out", default=None, help="also write the contract as DOCX with findings as comments")
    parser.add_argument("--comment-lang", default="ja", choices=["ja", "en"], help="language of the DOCX comments")
    parser.add_argument("--author", default="chizai", help="name on the DOCX comments and proposed wording")
    parser.add_argument("--color", dest="color", action="store_true", default=None)
    parser.add_argument("--no-color", dest="color", action="store_false")
    args = parser.parse_args(argv)
    return run(
        args.files,
        type=args.type,
        sme=args.sme,
        lang=args.lang,
        fmt=args.fmt,
        out=args.out,
        color=args.color,
        docx_out=args.docx_out,
        comment_lang=args.comment_lang,
        author=args.author,
    )


if __name__ == "__main__":
    sys.exit(main())
