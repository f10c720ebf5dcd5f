"""drop two indexes no query uses

ix_papers_arxiv_id: papers are looked up by their canonical key, which for an arXiv paper is
its id; nothing filters on the arxiv_id column. ix_paper_occurrences_paper_id: the unique
(paper_id, source) constraint's index already serves every paper_id lookup. Each index was
written on every ingested row (about a tenth of the store's ingest time).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:40:00.000000
"""

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_papers_arxiv_id', table_name='papers')
    op.drop_index('ix_paper_occurrences_paper_id', table_name='paper_occurrences')


def downgrade() -> None:
    op.create_index('ix_paper_occurrences_paper_id', 'paper_occurrences', ['paper_id'], unique=False)
    op.create_index('ix_papers_arxiv_id', 'papers', ['arxiv_id'], unique=False)
