#!/usr/bin/env bash
# The whole set-up on a fresh Debian machine with Node 20 (run as root, or with sudo available):
# the Debian packages the monitor and its tests use, where missing, then the locked npm packages.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  echo "usage: npm run setup   (installs the missing Debian packages: nats-server, chromium, CJK fonts; then npm install)"
  exit 0
fi
cd "$(dirname "$0")/.."

need=()
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || need+=(nats-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qiE 'wenquanyi|wqy|noto sans cjk' || need+=(fonts-wqy-zenhei)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need[@]}" fontconfig >/dev/null
fi

# `npm ci` refuses this lock file: chdb lists optional engine builds for other platforms
# (darwin, linux-arm64) that the registry here does not serve, so the lock cannot record them.
# `npm install` installs exactly the locked versions of everything that is in the lock.
echo "setup: installing npm packages (npm install, from package-lock.json)"
npm install --no-audit --no-fund
echo "setup: done. Next: npm start | npm run demo | npm test"
