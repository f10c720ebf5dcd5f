"""catch up each missed slot

profiles.catch_up: "one" (default) or "each" missed schedule slot after downtime.
digests.period_end: how far a digest covers (a catch-up digest stops at its slot).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:40:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes



revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('catch_up', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='one'))

    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_end', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.drop_column('period_end')

    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.drop_column('catch_up')
