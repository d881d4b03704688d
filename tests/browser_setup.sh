#!/usr/bin/env bash
# Install Debian's headless Chromium and its WebDriver for tests/test_browser.py, if missing.
# Called by `make test`; needs root (or sudo) on a machine without them, does nothing otherwise.
set -euo pipefail

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null; then
    SUDO="sudo"
else
    echo "browser_setup: chromium/chromedriver missing and not root: browser tests will skip (fail under CI=true)" >&2
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q chromium chromium-driver fonts-liberation
chromium --version
chromedriver --version
