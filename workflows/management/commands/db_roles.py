"""`manage.py db_roles`: least privilege in PostgreSQL (issue 17; docs/DEPLOY_DATABASE.md).

Two roles, created idempotently (running it again changes nothing that is already right):

- the **owner** role (DB_OWNER_ROLE, default ``review_owner``) owns every table, sequence and
  function of the schema and is the role ``manage.py migrate`` connects as (MIGRATE_DATABASE_URL);
- the **app** role (DB_APP_ROLE, default ``review_app``) is what the web processes, the Celery
  workers and beat connect as (DATABASE_URL). It owns nothing, so it cannot ALTER, DROP or index a
  table; it has no CREATE on the schema and no TEMPORARY on the database, so it cannot create one.
  It may SELECT, INSERT, UPDATE and DELETE the ordinary tables, and never TRUNCATE any table.

The tables the app role may add to but never change, remove from or empty (UPDATE, DELETE and
TRUNCATE revoked), found as every model written through the audit chain (``workflows.chain``):

- ``workflows_transitionlog``: every state change of every review, clock and form, who made it,
  when and why (workflows/models.py). The record of what happened; append-only.
- ``workflows_auditevent``: every other attributable event: who read the panel papers, every
  export, every sign-in-relevant act (workflows/models.py, workflows/audit.py). Append-only.
- ``reviews_signedfindings``: each signed version of a review's findings exactly as the chair
  signed it, with the SHA-256 of its content (reviews/models/findings.py). Never changed.

Those three are also refused UPDATE and DELETE by triggers, and chained with a keyed MAC that
``manage.py verify_audit`` checks. The triggers stop the application's mistakes; the grants stop the
application's *role*, so a compromised web process cannot lift a trigger (it does not own the table)
nor TRUNCATE, which no row trigger sees.

- ``workflows_auditchainhead``: the end of each chain. The app must UPDATE it (every audit row moves
  its head, workflows/chain.py), so only DELETE and TRUNCATE are revoked: without its head a chain
  could not be vouched for.

A new chained table brought by a migration gets the ordinary grants from the owner's default
privileges until this command runs again: run ``db_roles --apply --grants-only`` as the owner after
every ``migrate`` (scripts/migrate.sh does both).

``--print-sql`` prints the SQL (passwords are never printed); ``--apply`` runs it on the default
database: as a superuser (or the managed database's admin) the first time, since it creates roles
and hands the tables to the owner; as the owner for ``--grants-only``. PostgreSQL only.
"""

from __future__ import annotations

import os
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from workflows.chain import chained_models
from workflows.models import AuditChainHead

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def protected_tables() -> list[str]:
    """The tables whose rows the app role may only add: the chained (audit) tables."""
    return sorted(model._meta.db_table for model in chained_models())


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def roles_sql(owner: str, app: str) -> list[str]:
    """Create the two roles if missing, and make sure neither can do more than its job."""
    # Role names are checked against ROLE_NAME before they get here, literals quoted by _literal.
    return [
        f"""DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(owner)}) THEN
        CREATE ROLE {owner} LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(app)}) THEN
        CREATE ROLE {app} LOGIN;
    END IF;
END $$;""",  # noqa: S608 -- names checked by ROLE_NAME, literals quoted
        f"ALTER ROLE {owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;",
        # NOINHERIT and no membership: the app never picks up the owner's rights, even if someone
        # grants the owner role to it by mistake (the REVOKE takes it away again).
        f"ALTER ROLE {app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT;",
        f"REVOKE {owner} FROM {app};",
    ]


def ownership_sql(owner: str, app: str) -> list[str]:
    """The database and schema rights of each role, and every object of the schema to the owner."""
    return [
        f"""DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO {owner}', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO {app}', current_database());
    EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM PUBLIC, {app}', current_database());
END $$;""",
        # PostgreSQL before 15 lets everyone create in public; nobody but the owner may here.
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
        f"REVOKE CREATE ON SCHEMA public FROM {app};",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {owner};",
        f"GRANT USAGE ON SCHEMA public TO {app};",
        # Tables (and their identity sequences, which follow), free-standing sequences and
        # functions (the append-only triggers' function), leaving extensions' own objects alone.
        f"""DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name, c.relkind AS kind
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND pg_get_userbyid(c.relowner) <> {_literal(owner)}
          AND NOT EXISTS (
              SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                AND d.deptype IN ('a', 'i', 'e'))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO {owner}',
            CASE item.kind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                           WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
            item.name);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> {_literal(owner)}
          AND NOT EXISTS (
              SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO {owner}', item.name);
    END LOOP;
END $$;""",  # noqa: S608 -- names checked by ROLE_NAME, literals quoted
    ]


def _if_table(table: str, statement: str) -> str:
    return f"DO $$ BEGIN IF to_regclass('public.{table}') IS NOT NULL THEN {statement} END IF; END $$;"


def grants_sql(owner: str, app: str, protected: list[str], head: str) -> list[str]:
    """What the app may do with the owner's tables: read and write rows, never empty a table, and
    only add to the audit tables. Run by the owner or a superuser; safe to run again."""
    return [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app};",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {app};",
        # nextval for inserts (and the audit chain's ids, workflows/chain.py); setval for loaddata.
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {app};",
        # Each only once its table exists: the roles are made before the first migrate.
        *(_if_table(table, f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {app};") for table in protected),
        _if_table(head, f"REVOKE DELETE, TRUNCATE ON {head} FROM {app};"),
        # Tables a later migration creates get the ordinary grants at once (and the audit ones
        # their revokes when this runs again after the migration).
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {app};",
    ]


def password_sql(role: str, password: str) -> str:
    return f"ALTER ROLE {role} PASSWORD {_literal(password)};"


class Command(BaseCommand):
    help = (
        "Print (--print-sql) or run (--apply) the SQL creating the owner role (migrations) and the app "
        "role (no DDL; no UPDATE, DELETE or TRUNCATE on the audit tables). PostgreSQL only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--print-sql", action="store_true", help="Print the SQL (without passwords).")
        action.add_argument("--apply", action="store_true", help="Run the SQL on the database.")
        parser.add_argument(
            "--owner",
            default=os.environ.get("DB_OWNER_ROLE", "review_owner"),
            help="The owner role (DB_OWNER_ROLE; default review_owner).",
        )
        parser.add_argument(
            "--app",
            default=os.environ.get("DB_APP_ROLE", "review_app"),
            help="The application's role (DB_APP_ROLE; default review_app).",
        )
        parser.add_argument(
            "--grants-only",
            action="store_true",
            help="Only the table grants (the owner may run these after each migrate).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database alias to apply it on.")

    def handle(self, *args: Any, **options: Any) -> None:
        owner, app = options["owner"], options["app"]
        for option, name in (("--owner", owner), ("--app", app)):
            if not ROLE_NAME.match(name):
                raise CommandError(
                    f"{option}: {name!r} is not a plain role name (lower-case letters, digits and _, "
                    "starting with a letter or _)."
                )
        if owner == app:
            raise CommandError("--owner and --app must be two different roles.")
        statements: list[str] = []
        if not options["grants_only"]:
            statements += roles_sql(owner, app) + ownership_sql(owner, app)
        statements += grants_sql(owner, app, protected_tables(), AuditChainHead._meta.db_table)
        if options["print_sql"]:
            self.stdout.write("\n".join(statements))
            if not options["grants_only"]:
                self.stdout.write(
                    "-- Passwords (not printed): --apply sets them from DB_OWNER_PASSWORD and DB_APP_PASSWORD."
                )
            return
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            raise CommandError(
                f"db_roles needs PostgreSQL; the {options['database']!r} database is {connection.vendor}."
            )
        passwords = [
            password_sql(role, os.environ[variable])
            for role, variable in ((owner, "DB_OWNER_PASSWORD"), (app, "DB_APP_PASSWORD"))
            if os.environ.get(variable) and not options["grants_only"]
        ]
        with transaction.atomic(using=options["database"]), connection.cursor() as cursor:
            for statement in statements + passwords:
                cursor.execute(statement)
        self.stdout.write(
            f"Applied: {app} may not run DDL, TRUNCATE any table, nor UPDATE or DELETE {', '.join(protected_tables())}."
        )
