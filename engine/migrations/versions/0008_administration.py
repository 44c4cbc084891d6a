"""administration in the browser: revocable sessions, signers and titles of users, process drafts,
the directory's history, and when an instance's error began

Revision ID: 0008
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

import engine.db

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("title", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("signer", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("process_instance") as batch:
        batch.add_column(sa.Column("error_at", engine.db.UtcDateTime(timezone=True), nullable=True))
    # Instances already in error: their last change is the best estimate of when the error began.
    op.execute("UPDATE process_instance SET error_at = updated_at WHERE status = 'error'")
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", engine.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", engine.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", engine.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_user_session_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    with op.batch_alter_table("user_session") as batch:
        batch.create_index(batch.f("ix_user_session_user_id"), ["user_id"], unique=False)
    op.create_table(
        "process_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", engine.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_draft")),
        sa.UniqueConstraint("process_id", name=op.f("uq_process_draft_process_id")),
    )
    op.create_table(
        "body_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", engine.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_body_version")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_body_version_code")),
    )
    with op.batch_alter_table("body_version") as batch:
        batch.create_index(batch.f("ix_body_version_code"), ["code"], unique=False)


def downgrade() -> None:
    op.drop_table("body_version")
    op.drop_table("process_draft")
    op.drop_table("user_session")
    with op.batch_alter_table("process_instance") as batch:
        batch.drop_column("error_at")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("signer")
        batch.drop_column("title")
