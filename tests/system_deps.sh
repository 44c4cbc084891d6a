#!/usr/bin/env bash
# Installs the Debian packages the suite drives for real, judged by what works, not by package names:
#   - a Chromium and a ChromeDriver that start (browser tests);
#   - a LibreOffice that runs headless (PDF export);
#   - a font that fontconfig gives for "Times New Roman" (the font of every generated document) which
#     keeps Times New Roman's metrics and covers every Vietnamese letter in all four styles. Debian's
#     fonts-liberation (1.07) lacks ă/ơ/ư with tone marks, so LibreOffice would fall back to another
#     font letter by letter; fonts-liberation2 (2.x) covers them.
# Every check is one a fresh Debian machine needs; nothing relies on what happens to be installed.
set -euo pipefail

# Latin letters and every precomposed Vietnamese letter (À…Ỹ, Ă Đ Ĩ Ũ Ơ Ư and U+1EA0–U+1EF9).
VIETNAMESE="41-5a 61-7a c0-c3 c8-ca cc-cd d2-d5 d9-da dd e0-e3 e8-ea ec-ed f2-f5 f9-fa fd 102-103 110-111 128-129 168-169 1a0-1a1 1af-1b0 1ea0-1ef9"
# Fonts made to the metrics of Times New Roman (documents keep their line breaks and page count).
TIMES_METRIC="Times New Roman|Liberation Serif|Tinos"

runs() { "$@" >/dev/null 2>&1; }

# True when fontconfig resolves each style of Times New Roman to a Times-metric font covering Vietnamese.
times_font_covers_vietnamese() {
  runs command -v fc-match || return 1
  local covering style family file
  covering=$(fc-list -f '%{file}\n' ":charset=${VIETNAMESE}")
  for style in "" ":bold" ":italic" ":bold:italic"; do
    family=$(fc-match -f '%{family[0]}' "Times New Roman${style}")
    file=$(fc-match -f '%{file}' "Times New Roman${style}")
    [[ "$family" =~ ^(${TIMES_METRIC})$ ]] || return 1
    grep -qxF "$file" <<<"$covering" || return 1
  done
}

install_packages() {
  echo "Installing Debian packages: $*"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need=()
runs chromium --version || need+=(chromium)
runs chromedriver --version || need+=(chromium-driver)
runs soffice --version || need+=(libreoffice-writer-nogui)
runs command -v fc-match || need+=(fontconfig)
times_font_covers_vietnamese || need+=(fonts-liberation2)
[ ${#need[@]} -eq 0 ] || install_packages "${need[@]}"

missing=()
runs chromium --version || missing+=("chromium does not start")
runs chromedriver --version || missing+=("chromedriver does not start")
runs soffice --version || missing+=("soffice (LibreOffice) does not start")
if ! times_font_covers_vietnamese; then
  missing+=("fontconfig gives '$(fc-match "Times New Roman" 2>/dev/null || echo nothing)' for Times New Roman, \
which is not a Times-metric font covering every Vietnamese letter (install fonts-liberation2)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  printf 'system dependencies still missing:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
