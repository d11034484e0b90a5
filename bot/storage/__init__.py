"""Persistence: the tables, the database handle, migrations, and the repositories the core talks to."""
