"""profiles.former_names: the names a profile had before `profile rename`

A digest's feedback links carry the profile's name and the digest's id. The web app finds the
profile through the digest, and accepts the link's name if it is the profile's name now or one
it had: renaming keeps the links working, and a link never acts for another profile (one that
took the name, or, on SQLite, one whose new digest reused a removed profile's digest id).
Existing rows: no former names.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 04:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('former_names', sa.JSON(), nullable=False, server_default='[]')
        )


def downgrade() -> None:
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.drop_column('former_names')
