#!/usr/bin/env bash
# Install the system packages the integration tests use, when they are missing:
#   PostgreSQL's server binaries (the tests start their own throwaway cluster on 127.0.0.1)
#   Chromium (the digest's browser check at 375 and 1024 px).
# Needs root and apt-get; otherwise it says why, and those tests skip with the reason.
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "test deps: not root or no apt-get; tests needing ${missing[*]} will skip" >&2
  exit 0
fi
echo "test deps: installing ${missing[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
