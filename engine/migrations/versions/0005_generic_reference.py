"""instances and tasks point at their business object by a generic reference (ref_type, ref_id)

The engine's core tables carried `directive_id`; they now carry `ref_type` and `ref_id`, so the
engine knows nothing of directives. Existing links become ("directive", id). The timer lease
columns go: timers are claimed under a row lock (PostgreSQL) or the write lock (SQLite).

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

import engine.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_instance") as batch:
        batch.add_column(sa.Column("ref_type", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("ref_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("ref_type", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("ref_id", sa.Integer(), nullable=True))
    for table in ("process_instance", "human_task"):
        op.execute(f"UPDATE {table} SET ref_type = 'directive', ref_id = directive_id WHERE directive_id IS NOT NULL")
    with op.batch_alter_table("process_instance") as batch:
        batch.drop_index("ix_process_instance_directive_id")
        batch.drop_column("directive_id")
        batch.drop_column("lease_owner")
        batch.drop_column("lease_until")
        batch.create_index("ix_process_instance_ref", ["ref_type", "ref_id"], unique=False)
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("directive_id")
        batch.create_index("ix_human_task_ref", ["ref_type", "ref_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.drop_index("ix_human_task_ref")
        batch.add_column(sa.Column("directive_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("process_instance") as batch:
        batch.drop_index("ix_process_instance_ref")
        batch.add_column(sa.Column("directive_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("lease_owner", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("lease_until", engine.db.UtcDateTime(timezone=True), nullable=True))
        batch.create_index("ix_process_instance_directive_id", ["directive_id"], unique=False)
    for table in ("process_instance", "human_task"):
        op.execute(f"UPDATE {table} SET directive_id = ref_id WHERE ref_type = 'directive'")
    for table in ("process_instance", "human_task"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("ref_type")
            batch.drop_column("ref_id")
