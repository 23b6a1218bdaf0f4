#!/usr/bin/env bash
# Install the Debian packages Renshi needs, only those missing; quick when all are present.
#   gettext         msgfmt compiles the translation catalogue
#   fonts-noto-cjk  Chinese glyphs for pages rendered in the browser tests and for PDFs
#   chromium        the headless browser the end-to-end tests drive (through Playwright)
#   poppler-utils   pdftotext/pdftoppm, to read generated PDFs back in tests
#   libpango…       the text layout WeasyPrint renders PDFs (demand letters) with
set -euo pipefail
packages=(gettext fonts-noto-cjk chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
