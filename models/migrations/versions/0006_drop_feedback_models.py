"""Drop feedback_models: likes models are retrained when needed, never stored

A profile's likes model trains in about a millisecond (paperround/rank/feedback.py), so
storing it costs more than training it again; the table was never written. The fitted
index, which is worth keeping, lives in files under the home (paperround/rank/store.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 20:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('feedback_models')


def downgrade() -> None:
    op.create_table('feedback_models',
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('blob', sa.LargeBinary(), nullable=False),
    sa.Column('trained_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['profiles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('profile_id')
    )
