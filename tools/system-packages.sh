#!/usr/bin/env bash
# The Debian packages chizai's optional parts use: Chromium (browser tests), gettext (catalogues),
# openssl, Tesseract with the Japanese (horizontal and vertical) and English models and poppler
# (OCR of scanned contracts and uploads), LibreOffice Writer (Word round trips), Noto CJK (PDF
# reports). Installs what is missing when it can (root and apt-get); otherwise prints the one
# command that would, and exits 0: without them the parts that need them say so and the tests
# that need them skip with the reason.
set -uo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
tesseract --list-langs 2>/dev/null | grep -qx jpn || need+=(tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert tesseract-ocr-eng)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need+=(fonts-noto-cjk)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  apt-get install -y -qq "${need[@]}" >/dev/null \
    || echo "warning: apt-get could not install ${need[*]}; the tests that need them skip and say why"
else
  echo "note: optional system packages are missing; to install them run:"
  echo "  sudo apt-get install ${need[*]}"
fi
exit 0
