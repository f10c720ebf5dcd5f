"""quiet_windows: a channel's last run that found nothing to send counts as having read its
window, so a profile that matches nothing for weeks reads one day's papers a day, not every
paper since its last digest (models/store/coverage.py). One row per channel.

Existing stores: no row; a channel's next window starts after its last delivered digest, as
before, and its first quiet run marks it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 04:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'quiet_windows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('channel_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('seq_to', sa.BigInteger(), nullable=False),
        sa.Column('reach', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['profile_id'], ['profiles.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('profile_id', 'channel_key'),
    )


def downgrade() -> None:
    op.drop_table('quiet_windows')
