#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/browser/), only when it is missing.
# Idempotent: a machine that already has /usr/bin/chromium does nothing and needs no network.
# Playwright is pointed at this binary (no `playwright install` download of its own browsers).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
test -x /usr/bin/chromium
