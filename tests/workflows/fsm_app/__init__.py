"""A test-only app: the smallest model that takes the workflow engine through everything it does.

Installed by tests/settings.py for the test run only (project.settings never lists it, so
`manage.py makemigrations --check` never sees it). It has no migrations: the test database is
made with `migrate --run-syncdb`, which creates the tables of an app without them. For that reason
its models point at no model of a migrated app (people are named by username, not by a foreign key
to the user table): syncdb creates these tables before the migrated apps' own.
"""
