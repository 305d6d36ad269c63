#!/usr/bin/env bash
# Production migrations under least privilege (docs/DEPLOY_DATABASE.md): `manage.py migrate` connects
# as the owner role named by MIGRATE_DATABASE_URL (project/settings.py switches to it for migrate
# only), then the owner gives the app role its grants on whatever the migration created and takes
# UPDATE, DELETE and TRUNCATE on the audit tables away again (`db_roles --grants-only`).
# Without MIGRATE_DATABASE_URL (the demo, the tests) it is a plain `migrate`.
set -euo pipefail
PY="${PY:-.venv/bin/python}"
"$PY" manage.py migrate --noinput
if [ -n "${MIGRATE_DATABASE_URL:-}" ]; then
    DATABASE_URL="$MIGRATE_DATABASE_URL" "$PY" manage.py db_roles --apply --grants-only
fi
