"""directory, directives, registers, reports (owned by the domain work)

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import engine.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('body',
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('short_names', sa.JSON(), nullable=False),
    sa.Column('symbol', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('parent_code', sa.String(length=100), nullable=True),
    sa.Column('province', sa.String(length=100), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('successors', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('search_key', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_body'))
    )
    op.create_index(op.f('ix_body_kind'), 'body', ['kind'], unique=False)
    op.create_index(op.f('ix_body_parent_code'), 'body', ['parent_code'], unique=False)
    op.create_index(op.f('ix_body_province'), 'body', ['province'], unique=False)
    op.create_table('party_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer_code', sa.String(length=100), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_term')),
    sa.UniqueConstraint('issuer_code', 'label', name=op.f('uq_party_term_issuer_code'))
    )
    op.create_index(op.f('ix_party_term_issuer_code'), 'party_term', ['issuer_code'], unique=False)
    op.create_table('number_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer_code', sa.String(length=100), nullable=False),
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_number_counter')),
    sa.UniqueConstraint('issuer_code', 'series', 'period', name=op.f('uq_number_counter_issuer_code'))
    )
    op.create_table('outgoing_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer_code', sa.String(length=100), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('symbol', sa.String(length=60), nullable=False),
    sa.Column('number_text', sa.String(length=80), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('signer', sa.String(length=200), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('issued_by', sa.String(length=100), nullable=False),
    sa.Column('issued_at', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('cancelled_by', sa.String(length=100), nullable=True),
    sa.Column('cancelled_at', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_entry')),
    sa.UniqueConstraint('issuer_code', 'series', 'period', 'number', name=op.f('uq_outgoing_entry_issuer_code'))
    )
    op.create_index(op.f('ix_outgoing_entry_directive_id'), 'outgoing_entry', ['directive_id'], unique=False)
    op.create_index(op.f('ix_outgoing_entry_issuer_code'), 'outgoing_entry', ['issuer_code'], unique=False)
    op.create_table('incoming_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receiver_code', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('arrival_number', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('sender', sa.String(length=400), nullable=False),
    sa.Column('sender_code', sa.String(length=100), nullable=True),
    sa.Column('number_symbol', sa.String(length=80), nullable=False),
    sa.Column('document_date', sa.Date(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('urgency', sa.String(length=20), nullable=True),
    sa.Column('handling_unit', sa.String(length=100), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('instruction', sa.Text(), nullable=True),
    sa.Column('directive_id', sa.Integer(), nullable=True),
    sa.Column('registered_by', sa.String(length=100), nullable=False),
    sa.Column('registered_at', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incoming_entry')),
    sa.UniqueConstraint('receiver_code', 'year', 'arrival_number', name=op.f('uq_incoming_entry_receiver_code'))
    )
    op.create_index(op.f('ix_incoming_entry_directive_id'), 'incoming_entry', ['directive_id'], unique=False)
    op.create_index(op.f('ix_incoming_entry_receiver_code'), 'incoming_entry', ['receiver_code'], unique=False)
    op.create_table('directive',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('instrument', sa.String(length=10), nullable=False),
    sa.Column('issuer_code', sa.String(length=100), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('symbol', sa.String(length=60), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('national_ref', sa.String(length=300), nullable=True),
    sa.Column('outgoing_entry_id', sa.Integer(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', engine.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=True),
    sa.Column('updated_at', engine.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directive'))
    )
    op.create_index(op.f('ix_directive_instance_id'), 'directive', ['instance_id'], unique=False)
    op.create_index(op.f('ix_directive_issuer_code'), 'directive', ['issuer_code'], unique=False)
    op.create_index(op.f('ix_directive_stage'), 'directive', ['stage'], unique=False)
    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('body_code', sa.String(length=100), nullable=True),
    sa.Column('body_name', sa.String(length=400), nullable=False),
    sa.Column('section_ref', sa.String(length=40), nullable=True),
    sa.Column('tasks', sa.JSON(), nullable=False),
    sa.Column('lead', sa.Boolean(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('cycle', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('acknowledged_at', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('followup_instance_id', sa.Integer(), nullable=True),
    sa.Column('reports_submitted', sa.Integer(), nullable=False),
    sa.Column('reports_late', sa.Integer(), nullable=False),
    sa.Column('chase_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['directive_id'], ['directive.id'], name=op.f('fk_assignment_directive_id_directive'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('directive_id', 'position', name=op.f('uq_assignment_directive_id'))
    )
    op.create_index(op.f('ix_assignment_body_code'), 'assignment', ['body_code'], unique=False)
    op.create_index(op.f('ix_assignment_directive_id'), 'assignment', ['directive_id'], unique=False)
    op.create_index('ix_assignment_directive_body', 'assignment', ['directive_id', 'body_code'], unique=False)
    op.create_table('body_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('body_code', sa.String(length=100), nullable=True),
    sa.Column('period_index', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('is_final', sa.Boolean(), nullable=False),
    sa.Column('due_at', engine.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('submitted_by', sa.String(length=100), nullable=False),
    sa.Column('submitted_at', engine.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=False),
    sa.Column('late_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_body_report_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['directive_id'], ['directive.id'], name=op.f('fk_body_report_directive_id_directive'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_body_report')),
    sa.UniqueConstraint('assignment_id', 'period_index', name=op.f('uq_body_report_assignment_id'))
    )
    op.create_index(op.f('ix_body_report_directive_id'), 'body_report', ['directive_id'], unique=False)
    op.create_table('directive_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', engine.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['directive_id'], ['directive.id'], name=op.f('fk_directive_comment_directive_id_directive'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directive_comment'))
    )
    op.create_index(op.f('ix_directive_comment_directive_id'), 'directive_comment', ['directive_id'], unique=False)


def downgrade() -> None:
    op.drop_table('directive_comment')
    op.drop_table('body_report')
    op.drop_table('assignment')
    op.drop_table('directive')
    op.drop_table('incoming_entry')
    op.drop_table('outgoing_entry')
    op.drop_table('number_counter')
    op.drop_table('party_term')
    op.drop_table('body')
