#!/usr/bin/env bash
# Install PostgreSQL's server binaries from Debian packages when they are missing.
# Needs root and apt-get; otherwise it says why and the PostgreSQL tests skip.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "postgres: not root or no apt-get; PostgreSQL tests will skip" >&2
  exit 0
fi
echo "postgres: installing Debian's postgresql package (about 15 s)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq postgresql >/dev/null
