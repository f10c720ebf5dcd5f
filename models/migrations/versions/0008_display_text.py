"""paper_summaries: TL;DR lines a summariser model wrote, one per (paper, version, model, prompt)

The digest stage asks the model (through simonw's llm) only for papers it has no line for;
a line is kept until the paper gets a new version, or the model or the prompt changes. TeX
display text is computed in the digest stage, not stored (docs/digest.md has the figures).
The lead chains this after the real 0007 at merge (this branch was written beside 0006/0007).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 21:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'paper_summaries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('paper_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('model', sa.Text(), nullable=False),
        sa.Column('prompt', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['paper_id'], ['papers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('paper_id', 'version', 'model', 'prompt'),
    )


def downgrade() -> None:
    op.drop_table('paper_summaries')
