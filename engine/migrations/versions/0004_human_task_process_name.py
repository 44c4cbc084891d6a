"""human_task.process_name on databases created before revision 0001 carried it

Revision 0001 gained this column after it had shipped, so a database migrated with the first
0001 never got it. This revision adds it where it is missing and changes nothing elsewhere; shipped
revisions are never edited again — every schema change is a new revision.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _has_column(table: str, column: str) -> bool:
    return column in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    if not _has_column("human_task", "process_name"):
        with op.batch_alter_table("human_task") as batch:
            batch.add_column(sa.Column("process_name", sa.String(length=400), nullable=True))


def downgrade() -> None:
    pass  # the column belongs to 0001 as it is now; nothing to undo
