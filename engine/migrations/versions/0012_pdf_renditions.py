"""PDF renditions: each .docx content converted once in the background, its PDF kept by hash.

Revision ID: 0012
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

import engine.db

revision = '0012'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pdf_rendition',
    sa.Column('docx_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('requested_at', engine.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['docx_sha256'], ['stored_blob.sha256'],
                            name=op.f('fk_pdf_rendition_docx_sha256_stored_blob')),
    sa.ForeignKeyConstraint(['pdf_sha256'], ['stored_blob.sha256'],
                            name=op.f('fk_pdf_rendition_pdf_sha256_stored_blob')),
    sa.PrimaryKeyConstraint('docx_sha256', name=op.f('pk_pdf_rendition'))
    )
    with op.batch_alter_table('pdf_rendition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pdf_rendition_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pdf_rendition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pdf_rendition_status'))
    op.drop_table('pdf_rendition')
