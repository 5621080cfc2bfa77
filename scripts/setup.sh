#!/usr/bin/env bash
# The whole set-up on a fresh Debian machine with Node 20 (run as root, or with sudo available):
# the Debian packages the monitor and its tests use, where missing, then the locked npm packages.
# Running it again changes nothing and needs no network for the Debian part: it installs only
# what is missing. `--check` says what is missing and installs nothing.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  echo "usage: npm run setup   (installs the missing Debian packages: nats-server, chromium, CJK fonts; then npm install)"
  echo "       bash scripts/setup.sh --check   (lists what is missing, installs nothing)"
  exit 0
fi
cd "$(dirname "$0")/.."

# nats-server where the monitor looks for it (server/natsd.ts): PATH, then these directories
has_nats_server() {
  command -v nats-server >/dev/null 2>&1 && return 0
  for dir in /usr/local/bin /usr/sbin /usr/local/sbin; do [ -x "$dir/nats-server" ] && return 0; done
  return 1
}

# The font list is read whole before it is searched: `fc-list | grep -q` stopped reading at the
# first match, fc-list died of SIGPIPE, and pipefail made an installed font look missing (audit V F7).
has_cjk_font() {
  local fonts
  fonts="$(fc-list 2>/dev/null || true)"
  grep -iE 'wenquanyi|wqy|noto sans cjk' >/dev/null <<<"$fonts"
}

need=()
has_nats_server || need+=(nats-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
has_cjk_font || need+=(fonts-wqy-zenhei fontconfig)

if [ "${1:-}" = "--check" ]; then
  if [ ${#need[@]} -gt 0 ]; then echo "setup: missing Debian packages: ${need[*]}"; else echo "setup: no Debian package missing"; fi
  exit 0
fi

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need[@]}" >/dev/null; }; then
    echo "setup: could not install ${need[*]} with apt-get (offline, or no root/sudo?): install them by hand, then run this again" >&2
    exit 1
  fi
fi

# `npm ci` refuses this lock file: chdb lists optional engine builds for other platforms
# (darwin, linux-arm64) that the registry here does not serve, so the lock cannot record them.
# `npm install` installs exactly the locked versions of everything that is in the lock.
echo "setup: installing npm packages (npm install, from package-lock.json)"
npm install --no-audit --no-fund
echo "setup: done. Next: npm start | npm run demo | npm test"
