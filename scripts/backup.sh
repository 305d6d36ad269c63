#!/usr/bin/env bash
# `make backup`: the whole database named by DATABASE_URL to FILE, in pg_dump's custom format (-Fc:
# compressed, restored table by table with pg_restore; schema, data, the audit triggers, owners and
# grants). FILE defaults to var/backups/<database>-<UTC time>.dump. Written beside FILE and moved
# into place when complete, so a FILE that exists is a whole dump. docs/DEPLOY_DATABASE.md.
set -euo pipefail
: "${DATABASE_URL:?Set DATABASE_URL to the database to back up, e.g. postgres://user@host:5432/reviews}"
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) echo "DATABASE_URL must be a PostgreSQL URL (postgres://...) for make backup." >&2; exit 1 ;;
esac
"$(dirname "$0")/ensure-pg-client.sh"
base="${DATABASE_URL%%\?*}"
name="${base##*/}"
FILE="${FILE:-var/backups/${name}-$(date -u +%Y%m%dT%H%M%SZ).dump}"
mkdir -p "$(dirname "$FILE")"
part="$FILE.part"
trap 'rm -f "$part"' EXIT
pg_dump --dbname="$DATABASE_URL" --format=custom --file="$part"
mv "$part" "$FILE"
trap - EXIT
echo "Backed up $name to $FILE ($(du -h "$FILE" | cut -f1)). Restore with: FILE=$FILE DATABASE_URL=postgres://.../new_name make restore"
