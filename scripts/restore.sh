#!/usr/bin/env bash
# `make restore`: FILE (a `make backup` dump) into the database named by DATABASE_URL, which must be
# new or empty: the script creates it when missing and refuses one holding tables, so a restore
# never mixes with, or silently replaces, a live database. All or nothing (one transaction).
# Owners and grants come back as dumped (the roles of `manage.py db_roles` must exist on the
# server); RESTORE_NO_OWNER=1 drops them, for another server: then run `manage.py db_roles --apply`.
# Afterwards run `manage.py verify_audit` against it. docs/DEPLOY_DATABASE.md.
set -euo pipefail
: "${FILE:?Set FILE to the dump to restore (from make backup)}"
: "${DATABASE_URL:?Set DATABASE_URL to the database to restore into, e.g. postgres://user@host:5432/reviews_restored}"
[ -f "$FILE" ] || { echo "FILE: $FILE does not exist." >&2; exit 1; }
base="${DATABASE_URL%%\?*}"
name="${base##*/}"
server="${base%/*}"
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) echo "DATABASE_URL must be a PostgreSQL URL (postgres://...) for make restore." >&2; exit 1 ;;
esac
if ! [[ "$name" =~ ^[A-Za-z0-9_-]+$ ]]; then
    echo "DATABASE_URL: the database name '$name' must be letters, digits, _ and - only." >&2
    exit 1
fi
"$(dirname "$0")/ensure-pg-client.sh"
exists=$(psql --dbname="$server/postgres" -XAtq -v ON_ERROR_STOP=1 -c "SELECT 1 FROM pg_database WHERE datname = '$name'")
if [ "$exists" = "1" ]; then
    tables=$(psql --dbname="$DATABASE_URL" -XAtq -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    if [ "$tables" != "0" ]; then
        echo "The database $name already holds $tables tables: restore into a new database (or drop this one first)." >&2
        exit 1
    fi
else
    psql --dbname="$server/postgres" -XAtq -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$name\""
fi
options=(--dbname="$DATABASE_URL" --exit-on-error --single-transaction)
if [ "${RESTORE_NO_OWNER:-0}" = "1" ]; then
    options+=(--no-owner --no-acl)
fi
pg_restore "${options[@]}" "$FILE"
psql --dbname="$DATABASE_URL" -XAtq -v ON_ERROR_STOP=1 -c "ANALYZE"
echo "Restored $FILE into $name. Next: DATABASE_URL=$DATABASE_URL python manage.py verify_audit"
