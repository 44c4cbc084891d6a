"""writing a directive in the browser: versions of a directive, comments on a version with the
drafter's response, the contents of the registers of NĐ 30/2020 Phụ lục IV (incoming: VI–VIII,
outgoing: I), the national document's file, and the issuing bodies' profiles, signers and Nơi nhận
presets. Existing directives get their current state kept as a version.

Revision ID: 0006
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

import engine.db

revision = '0006'
down_revision = '0008'  # re-chained after 0008 when both branches were merged
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issuer_profile',
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('printed_name', sa.Text(), nullable=False),
    sa.Column('parent_printed_name', sa.Text(), nullable=True),
    sa.Column('symbol', sa.String(length=40), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('default_unit', sa.String(length=30), nullable=False),
    sa.Column('units', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_issuer_profile'))
    )
    op.create_table('issuer_signer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer_code', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('authority', sa.String(length=100), nullable=True),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuer_signer')),
    sa.UniqueConstraint('issuer_code', 'position', name=op.f('uq_issuer_signer_issuer_code'))
    )
    with op.batch_alter_table('issuer_signer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issuer_signer_issuer_code'), ['issuer_code'], unique=False)

    op.create_table('recipient_preset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer_code', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', engine.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recipient_preset')),
    sa.UniqueConstraint('issuer_code', 'name', name=op.f('uq_recipient_preset_issuer_code'))
    )
    with op.batch_alter_table('recipient_preset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recipient_preset_issuer_code'), ['issuer_code'], unique=False)

    op.create_table('directive_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('saved_by', sa.String(length=100), nullable=False),
    sa.Column('saved_at', engine.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['directive_id'], ['directive.id'], name=op.f('fk_directive_version_directive_id_directive'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directive_version')),
    sa.UniqueConstraint('directive_id', 'version', name=op.f('uq_directive_version_directive_id'))
    )
    with op.batch_alter_table('directive_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directive_version_directive_id'), ['directive_id'], unique=False)

    with op.batch_alter_table('directive', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_directive_import_hash'), ['import_hash'], unique=False)

    with op.batch_alter_table('directive_comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('body_code', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('response_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('response', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('responded_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('responded_at', engine.db.UtcDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('incoming_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_type', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('handling_unit_name', sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column('partner_units', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('assigned_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('assigned_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('received_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('progress', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reply_ref', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('file_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('file_name', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('file_type', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('file_size', sa.Integer(), nullable=True))

    with op.batch_alter_table('outgoing_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archive_holder', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('copies', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('dispatched_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('received_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))

    op.execute("INSERT INTO directive_version (directive_id, version, data, reason, saved_by, saved_at) "
               "SELECT id, version, data, 'migrated', COALESCE(updated_by, created_by), updated_at FROM directive")


def downgrade() -> None:
    with op.batch_alter_table('outgoing_entry', schema=None) as batch_op:
        batch_op.drop_column('note')
        batch_op.drop_column('received_by')
        batch_op.drop_column('dispatched_on')
        batch_op.drop_column('copies')
        batch_op.drop_column('archive_holder')

    with op.batch_alter_table('incoming_entry', schema=None) as batch_op:
        batch_op.drop_column('file_size')
        batch_op.drop_column('file_type')
        batch_op.drop_column('file_name')
        batch_op.drop_column('file_sha256')
        batch_op.drop_column('note')
        batch_op.drop_column('reply_ref')
        batch_op.drop_column('progress')
        batch_op.drop_column('received_by')
        batch_op.drop_column('assigned_by')
        batch_op.drop_column('assigned_on')
        batch_op.drop_column('partner_units')
        batch_op.drop_column('handling_unit_name')
        batch_op.drop_column('document_type')

    with op.batch_alter_table('directive_comment', schema=None) as batch_op:
        batch_op.drop_column('responded_at')
        batch_op.drop_column('responded_by')
        batch_op.drop_column('response')
        batch_op.drop_column('response_kind')
        batch_op.drop_column('body_code')
        batch_op.drop_column('version')

    with op.batch_alter_table('directive', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directive_import_hash'))
        batch_op.drop_column('import_hash')

    with op.batch_alter_table('directive_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directive_version_directive_id'))

    op.drop_table('directive_version')
    with op.batch_alter_table('recipient_preset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recipient_preset_issuer_code'))

    op.drop_table('recipient_preset')
    with op.batch_alter_table('issuer_signer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuer_signer_issuer_code'))

    op.drop_table('issuer_signer')
    op.drop_table('issuer_profile')
