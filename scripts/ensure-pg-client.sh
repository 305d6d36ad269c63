#!/usr/bin/env bash
# `make backup` and `make restore` need pg_dump, pg_restore and psql from Debian's postgresql-client.
# Install it when one is missing (idempotent: nothing happens when they are there).
set -euo pipefail
if command -v pg_dump >/dev/null && command -v pg_restore >/dev/null && command -v psql >/dev/null; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "pg_dump, pg_restore or psql is missing: run 'sudo apt-get install -y postgresql-client' (needed by make backup and make restore)" >&2
    exit 1
fi
echo "Installing postgresql-client (pg_dump, pg_restore, psql) for make backup and make restore..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null
command -v pg_dump >/dev/null && command -v pg_restore >/dev/null
