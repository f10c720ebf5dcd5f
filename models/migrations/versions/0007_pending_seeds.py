"""profile_seeds.pending: a seed named while the arXiv API could not be reached

`profile add --seed ID` offline creates the profile and keeps the seed as pending (no title
or abstract yet, not ranked); the next ingest or profile command that reaches the API fills
it in. Existing seeds were all looked up: false.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 21:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('profile_seeds', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('pending', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('profile_seeds', schema=None) as batch_op:
        batch_op.drop_column('pending')
