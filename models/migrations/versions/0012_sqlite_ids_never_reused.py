"""SQLite: profiles, channels and digests never reuse an id (AUTOINCREMENT)

Without it SQLite gives a removed row's id to the next insert when it was the highest. A
digest's feedback links carry its id, so after `profile remove alice` and `profile add
alice`, alice's old links acted on the new alice's digest; a channel's ledger is keyed by its
id, so a new channel could inherit a removed one's. PostgreSQL's sequences never reuse: no
change there. The tables are rebuilt (copied, with their ids); migrations run with foreign
keys off (models/db.py), so nothing cascades. Downgrade leaves them as they are.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 04:30:00.000000
"""

from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TABLES = ('profiles', 'channels', 'digests')


def upgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate='always', table_kwargs={'sqlite_autoincrement': True}
        ):
            pass


def downgrade() -> None:
    pass  # AUTOINCREMENT is harmless to the older schema
