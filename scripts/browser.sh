#!/usr/bin/env bash
# What the browser tests need from the machine: Debian's Chromium (driven by playwright-core in
# tests/e2e/) and CJK fonts, without which its screenshots show boxes instead of Chinese.
#
#   scripts/browser.sh install   install them from Debian packages if missing (root or
#                                passwordless sudo); otherwise print the one apt-get line to run
#                                and exit 1
#
# The browser looked for is CHROMIUM_PATH (default /usr/bin/chromium), the one tests/e2e/ launches.
set -euo pipefail

cmd=${1:-install}
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
fonts=fonts-noto-cjk

missing_packages() {
  local packages=()
  command -v "$chromium" >/dev/null 2>&1 || packages+=(chromium)
  dpkg -s "$fonts" >/dev/null 2>&1 || packages+=("$fonts")
  echo "${packages[@]}"
}

ensure_installed() {
  local packages
  packages=$(missing_packages)
  [ -n "$packages" ] || return 0
  local apt=(apt-get install -y --no-install-recommends $packages)
  local as_root=(env DEBIAN_FRONTEND=noninteractive)
  if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then as_root=(sudo "${as_root[@]}"); else
      echo "The browser tests need $packages. Install with: sudo ${apt[*]}" >&2
      exit 1
    fi
  fi
  echo "The browser tests need $packages: installing from Debian packages…" >&2
  "${as_root[@]}" apt-get update -qq >&2
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends $packages >&2
  packages=$(missing_packages)
  if [ -n "$packages" ]; then
    echo "Still missing after apt-get: $packages (is CHROMIUM_PATH=$chromium right?)" >&2
    exit 1
  fi
}

case "$cmd" in
  install) ensure_installed ;;
  *) echo "usage: scripts/browser.sh install" >&2; exit 2 ;;
esac
