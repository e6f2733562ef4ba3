"""Translation catalogues: one per app (src/chizai/<app>/locale) plus the project one
(src/chizai/locale: settings, shared templates). Keeping them apart lets each part change its
strings without touching the others'.

    python tools/i18n.py update        # extract strings, fill en (msgstr = msgid), compile
    python tools/i18n.py check         # exit 1 listing missing / untranslated / stale entries
    python tools/i18n.py set ja FILE.json   # merge {msgid: msgstr} translations into catalogues

Needs GNU gettext (xgettext, msgfmt) and Django's makemessages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "chizai"
APPS = ["core", "register", "review", "disclosure", "deals", "advisers", "succession"]
LANGS = ["ja", "en"]


def catalogue_dirs() -> list[tuple[Path, list[str]]]:
    """(directory whose locale/ holds a catalogue, ignore patterns for makemessages)."""
    dirs = [(PACKAGE, [f"{app}/*" for app in APPS] + ["static/*"])]
    dirs += [(PACKAGE / app, ["engine/*", "tests/*"]) for app in APPS if (PACKAGE / app).is_dir()]
    return dirs


def _chizai() -> str:
    return str(Path(sys.executable).with_name("chizai"))


def extract(directory: Path, ignores: list[str], into: Path | None = None) -> None:
    """Run makemessages for ja and en in ``directory`` (or a copy of it at ``into``)."""
    target = into or directory
    args = [_chizai(), "makemessages", "--no-obsolete", "--add-location", "file", "-l", "ja", "-l", "en", "--no-wrap"]
    for pattern in ignores:
        args += ["--ignore", pattern]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chizai.settings"}
    (target / "locale").mkdir(exist_ok=True)
    subprocess.run(args, cwd=target, check=True, capture_output=True, env=env)


def load_po(po_path: Path) -> polib.POFile:
    """A catalogue read so that saving it writes long strings on one line, as makemessages
    --no-wrap does: polib's default (wrap at 78) and makemessages' own disagreed, so every
    run rewrapped catalogues whose strings had not changed."""
    return polib.pofile(str(po_path), wrapwidth=0)


def save_if_changed(po: polib.POFile, po_path: Path) -> None:
    """Write the catalogue only when its text changes (no churn in other apps' files)."""
    text = str(po)
    if po_path.read_text(encoding="utf-8") != text:
        po.save(str(po_path))


def fill_english(po_path: Path) -> None:
    """English msgids are the English text: every en msgstr is its msgid. (makemessages'
    fuzzy guesses borrow a *similar* string's text, so nothing of theirs is kept.)"""
    po = load_po(po_path)
    for entry in po:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    save_if_changed(po, po_path)


def compile_all() -> None:
    for directory, _ in catalogue_dirs():
        for lang in LANGS:
            po_path = directory / "locale" / lang / "LC_MESSAGES" / "django.po"
            if po_path.exists():
                polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


def update() -> None:
    for directory, ignores in catalogue_dirs():
        extract(directory, ignores)
        en = directory / "locale" / "en" / "LC_MESSAGES" / "django.po"
        if en.exists():
            fill_english(en)
    compile_all()
    problems = check(extract_fresh=False)
    for line in problems:
        print(line)


def target_dirs(mapping_file: Path) -> list[Path]:
    """The catalogue a translation file belongs to: ``ja-<app>.json`` writes only into that
    app's catalogue, ``ja-foundation.json`` only into the project's. Writing one app's
    wording into every catalogue that shares a msgid made the words on another part's
    pages change with whoever ran ``set`` last."""
    stem = mapping_file.stem.split("-", 1)[-1]
    if stem in APPS:
        return [PACKAGE / stem]
    if stem == "foundation":
        return [PACKAGE]
    return [d for d, _ in catalogue_dirs()]


def set_translations(lang: str, mapping_file: Path) -> None:
    mapping = json.loads(mapping_file.read_text(encoding="utf-8"))
    for directory in target_dirs(mapping_file):
        po_path = directory / "locale" / lang / "LC_MESSAGES" / "django.po"
        if not po_path.exists():
            continue
        po = load_po(po_path)
        for entry in po:
            if entry.msgid in mapping:
                value = mapping[entry.msgid]
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: value}
                else:
                    entry.msgstr = value
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
        save_if_changed(po, po_path)
    compile_all()


def check(extract_fresh: bool = True) -> list[str]:
    """Problems: strings in code missing from a catalogue, untranslated or fuzzy ja entries, stale .mo."""
    problems: list[str] = []
    for directory, ignores in catalogue_dirs():
        rel = directory.relative_to(ROOT)
        committed = {lang: directory / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in LANGS}
        if extract_fresh:
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / directory.name
                shutil.copytree(
                    directory,
                    copy,
                    ignore=shutil.ignore_patterns("locale", "__pycache__", "*.pyc", "artifacts", "data"),
                )
                try:
                    extract(copy, ignores)
                except subprocess.CalledProcessError as exc:
                    problems.append(f"{rel}: makemessages failed: {exc.stderr.decode(errors='replace')[:500]}")
                    continue
                fresh_po = copy / "locale" / "ja" / "LC_MESSAGES" / "django.po"
                fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(fresh_po))} if fresh_po.exists() else set()
        else:
            fresh = set()
        for lang in LANGS:
            po_path = committed[lang]
            if not po_path.exists():
                if fresh:
                    problems.append(f"{rel}: no {lang} catalogue ({po_path.relative_to(ROOT)})")
                continue
            po = polib.pofile(str(po_path))
            have = {(e.msgctxt, e.msgid) for e in po if not e.obsolete}
            for _ctx, msgid in sorted(fresh - have, key=lambda x: x[1]):
                problems.append(f"{rel} [{lang}]: not in catalogue: {msgid!r}")
            for entry in po:
                if entry.obsolete:
                    continue
                translated = any(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
                if not translated:
                    problems.append(f"{rel} [{lang}]: untranslated: {entry.msgid!r}")
                if "fuzzy" in entry.flags:
                    problems.append(f"{rel} [{lang}]: fuzzy: {entry.msgid!r}")
                if lang == "en" and not entry.msgid_plural and entry.msgstr != entry.msgid:
                    problems.append(
                        f"{rel} [en]: English text differs from its msgid: {entry.msgid!r} -> {entry.msgstr!r}"
                    )
            mo_path = po_path.with_suffix(".mo")
            if not mo_path.exists():
                problems.append(f"{rel} [{lang}]: not compiled ({mo_path.name} missing)")
            else:
                mo = {
                    (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                    for e in polib.mofile(str(mo_path))
                }
                for entry in po:
                    if entry.obsolete or not (entry.msgstr or entry.msgid_plural):
                        continue
                    if mo.get((entry.msgctxt, entry.msgid), (None,))[0] != entry.msgstr and not entry.msgid_plural:
                        problems.append(
                            f"{rel} [{lang}]: .mo is stale for {entry.msgid!r} (run: python tools/i18n.py update)"
                        )
                        break
    return problems


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"update", "check", "set"}:
        print(__doc__)
        return 2
    sys.path.insert(0, str(ROOT / "src"))
    if argv[0] == "update":
        update()
        return 0
    if argv[0] == "set":
        set_translations(argv[1], Path(argv[2]))
        return 0
    problems = check()
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
