"""generated documents and templates (owned by the documents work)

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

import engine.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "generated_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("task_ref", sa.String(length=200), nullable=True),
        sa.Column("register_entry_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", engine.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["stored_blob.sha256"],
                                name=op.f("fk_generated_document_sha256_stored_blob")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generated_document")),
        sa.UniqueConstraint("directive_id", "kind", "version",
                            name=op.f("uq_generated_document_directive_id")),
    )
    with op.batch_alter_table("generated_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_generated_document_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_generated_document_directive_id"), ["directive_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_generated_document_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_generated_document_register_entry_id"), ["register_entry_id"],
                              unique=False)
    op.create_table(
        "document_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", engine.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["stored_blob.sha256"],
                                name=op.f("fk_document_template_sha256_stored_blob")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_template")),
        sa.UniqueConstraint("kind", "side", "version", name=op.f("uq_document_template_kind")),
    )


def downgrade() -> None:
    op.drop_table("document_template")
    with op.batch_alter_table("generated_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_generated_document_register_entry_id"))
        batch_op.drop_index(batch_op.f("ix_generated_document_instance_id"))
        batch_op.drop_index(batch_op.f("ix_generated_document_directive_id"))
        batch_op.drop_index(batch_op.f("ix_generated_document_kind"))
    op.drop_table("generated_document")
