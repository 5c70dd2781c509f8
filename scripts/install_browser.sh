#!/bin/sh
# Install Debian's Chromium and its WebDriver for the browser tests (pytest -m browser) when missing.
# Runs only as root on a Debian/Ubuntu system with apt-get; otherwise it says why and exits 0 so that
# `make test` goes on and the browser tests skip with a clear reason.
set -eu

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: no apt-get; install chromium and chromedriver yourself to run the browser tests" >&2
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install_browser: not root; run 'sudo apt-get install -y chromium chromium-driver' to run the browser tests" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || echo "install_browser: apt-get update failed; trying the cached package lists" >&2
apt-get install -y -qq --no-install-recommends chromium chromium-driver \
    || echo "install_browser: apt-get install failed; the browser tests will be skipped" >&2
