#!/usr/bin/env bash
# Install Debian's chromium for the digest's browser check (375 px and 1024 px renders).
# Needs root and apt-get; otherwise it says why and the browser test skips.
set -euo pipefail
if command -v chromium >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "chromium: not root or no apt-get; the browser test will skip" >&2
  exit 0
fi
echo "chromium: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
