"""the inbox's subject and folded search column, the notifications outbox and preferences, the files
attached to body reports

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

import engine.db
from engine.kernel.refs import search_text

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=1000), nullable=True))
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=True))
        batch.create_index("ix_human_task_done", ["completed_by", "completed_at"], unique=False)
    # Tasks already there are found by their name until their instance next moves (then the domain
    # gives them their subject too).
    conn = op.get_bind()
    task = sa.table("human_task", sa.column("id", sa.Integer), sa.column("name", sa.String),
                    sa.column("process_name", sa.String), sa.column("business_key", sa.String),
                    sa.column("search_text", sa.Text))
    rows = conn.execute(sa.select(task.c.id, task.c.name, task.c.process_name, task.c.business_key)).all()
    for row in rows:
        conn.execute(task.update().where(task.c.id == row.id)
                     .values(search_text=search_text(row.name, row.process_name, row.business_key)))

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("event_key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("ref_type", sa.String(length=40), nullable=True),
        sa.Column("ref_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engine.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("read_at", engine.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("email_to", sa.String(length=300), nullable=True),
        sa.Column("email_status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", engine.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("lease_until", engine.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", engine.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("username", "event_key", name=op.f("uq_notification_username")),
    )
    with op.batch_alter_table("notification") as batch:
        batch.create_index("ix_notification_outbox", ["email_status", "next_attempt_at"], unique=False)
        batch.create_index("ix_notification_unread", ["username", "read_at"], unique=False)
        batch.create_index(batch.f("ix_notification_task_id"), ["task_id"], unique=False)
    op.create_table(
        "notification_preference",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=300), nullable=True),
        sa.Column("on_new_task", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("on_near_due", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("on_overdue", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", engine.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_notification_preference")),
    )
    op.create_table(
        "task_notice",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", engine.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("task_id", "kind", name=op.f("pk_task_notice")),
    )
    op.create_table(
        "notification_cursor",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_task_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", engine.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_notification_cursor")),
    )
    op.create_table(
        "report_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", engine.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["sha256"], ["stored_blob.sha256"],
                                name=op.f("fk_report_attachment_sha256_stored_blob")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_attachment")),
    )
    with op.batch_alter_table("report_attachment") as batch:
        batch.create_index(batch.f("ix_report_attachment_instance_id"), ["instance_id"], unique=False)
        batch.create_index(batch.f("ix_report_attachment_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    op.drop_table("report_attachment")
    op.drop_table("notification_cursor")
    op.drop_table("task_notice")
    op.drop_table("notification_preference")
    op.drop_table("notification")
    with op.batch_alter_table("human_task") as batch:
        batch.drop_index("ix_human_task_done")
        batch.drop_column("search_text")
        batch.drop_column("subject")
