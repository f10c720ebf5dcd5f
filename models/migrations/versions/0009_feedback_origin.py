"""feedback.origin: where a like or dislike came from (cli, email, chat or web)

The digest's signed links (paperround web) record feedback through the same function as
`paperround like`; the origin says which door it came through, for `profile history`.
Every existing row was given at the command line: 'cli'.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 23:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'origin', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='cli'
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_column('origin')
