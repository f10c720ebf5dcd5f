"""digest windows by commit order; resendable deliveries

papers.seq / papers.revised_seq: the store sequence of the write that added (or revised) the
paper. store_counters holds the sequence: every paper write takes the next value inside its
own transaction, so sequence order is commit order (see models/store/papers.py).
digests.seq_from / seq_to: the sequence range a digest read; a channel's next window starts
after the last delivered seq_to. digests.parts: the chat blocks, so a pending delivery can be
resent as the same message. deliveries.message_id: the email Message-ID it was (re)sent with.

Existing stores: a paper's seq is its id (ids grew in insertion order), a digest's seq_to the
highest seq first seen by the time it covered, so windows continue where they stopped.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 20:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'store_counters',
        sa.Column('name', sa.String(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('revised_seq', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_papers_seq', ['seq'], unique=False)
        batch_op.create_index('ix_papers_revised_seq', ['revised_seq'], unique=False)
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq_from', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('seq_to', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('parts', sa.JSON(), nullable=True))
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.Text(), nullable=True))

    op.execute("UPDATE papers SET seq = id")
    op.execute("UPDATE papers SET revised_seq = id WHERE revised_at IS NOT NULL")
    op.execute(
        "UPDATE digests SET seq_to = (SELECT coalesce(max(p.seq), 0) FROM papers p "
        "WHERE p.first_seen_at <= coalesce(digests.period_end, digests.created_at))"
    )
    op.execute(
        "INSERT INTO store_counters (name, value) "
        "SELECT 'papers', coalesce(max(id), 0) FROM papers"
    )


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('message_id')
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.drop_column('parts')
        batch_op.drop_column('seq_to')
        batch_op.drop_column('seq_from')
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.drop_index('ix_papers_revised_seq')
        batch_op.drop_index('ix_papers_seq')
        batch_op.drop_column('revised_seq')
        batch_op.drop_column('seq')
    op.drop_table('store_counters')
