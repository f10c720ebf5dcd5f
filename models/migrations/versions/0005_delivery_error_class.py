"""deliveries.error_class: whether a failed delivery may pass on a later try

temporary (4xx SMTP reply, HTTP 5xx/429, timeout, refused connection), permanent (5xx SMTP,
other HTTP 4xx, a bad channel URL) or unknown; NULL for a delivery that did not fail and for
failures recorded before this revision.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_class', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('error_class')
