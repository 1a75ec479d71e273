#!/usr/bin/env bash
# Makes sure a Chromium the browser tests can drive is installed: Debian's `chromium` package (Playwright downloads no browser
# here; the tests launch /usr/bin/chromium). As root on a fresh machine it installs the package; skipped when
# TOTALLATOR_CHROMIUM points at another executable.
set -euo pipefail

if [ -n "${TOTALLATOR_CHROMIUM:-}" ]; then
  echo "ensure-chromium: using TOTALLATOR_CHROMIUM=$TOTALLATOR_CHROMIUM"
  exit 0
fi
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "ensure-chromium: chromium is not installed and this is not root; install it (apt-get install chromium) or set TOTALLATOR_CHROMIUM" >&2
  exit 1
fi
echo "ensure-chromium: installing chromium from the system packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
chromium --version
