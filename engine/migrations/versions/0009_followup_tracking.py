"""follow-up you can trust: one row per directive × assigned body × reporting period (the facts the
VPCP statuses are computed from, engine/directives/tracking.py), the per-directive choice of sending
chasing letters without review, the body's own number and date on its report, and the title and
name of a body's head (who signs its reports).

Revision ID: 0009
Revises: 0012 (re-chained; first written after 0006)
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0009'
down_revision = '0012'  # re-chained after main's 0012 when main was merged into issue-9b
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('followup_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('body_code', sa.String(length=100), nullable=True),
    sa.Column('body_name', sa.String(length=400), nullable=False),
    sa.Column('lead', sa.Boolean(), nullable=False),
    sa.Column('period_index', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('is_final', sa.Boolean(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('due_at', engine.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('due_day', sa.Integer(), nullable=False),
    sa.Column('remind_at', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('chase_at', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('escalate_at', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('submitted_at', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('report_document_id', sa.Integer(), nullable=True),
    sa.Column('late_days', sa.Integer(), nullable=False),
    sa.Column('reminder_document_id', sa.Integer(), nullable=True),
    sa.Column('chasing_document_id', sa.Integer(), nullable=True),
    sa.Column('chase_count', sa.Integer(), nullable=False),
    sa.Column('escalated_at', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('planned_at', engine.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'],
                            name=op.f('fk_followup_period_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['directive_id'], ['directive.id'],
                            name=op.f('fk_followup_period_directive_id_directive'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_period')),
    sa.UniqueConstraint('assignment_id', 'period_index', name=op.f('uq_followup_period_assignment_id'))
    )
    with op.batch_alter_table('followup_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_period_body_code'), ['body_code'], unique=False)
        batch_op.create_index('ix_followup_period_directive_pos', ['directive_id', 'position', 'period_index'],
                              unique=False)
        batch_op.create_index('ix_followup_period_state_due', ['state', 'due_at'], unique=False)

    with op.batch_alter_table('directive', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chase_auto_send', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('body_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_number', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('body_date', sa.Date(), nullable=True))
    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.add_column(sa.Column('head_title', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('head_name', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.drop_column('head_name')
        batch_op.drop_column('head_title')
    with op.batch_alter_table('body_report', schema=None) as batch_op:
        batch_op.drop_column('body_date')
        batch_op.drop_column('body_number')
    with op.batch_alter_table('directive', schema=None) as batch_op:
        batch_op.drop_column('chase_auto_send')
    with op.batch_alter_table('followup_period', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_period_state_due')
        batch_op.drop_index('ix_followup_period_directive_pos')
        batch_op.drop_index(batch_op.f('ix_followup_period_body_code'))
    op.drop_table('followup_period')
