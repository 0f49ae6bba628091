"""The entries table: answers, follow-up answers and skips, with their grades.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entries",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("topics", sa.Text, nullable=False),
        sa.Column("parent_id", sa.String(32)),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float),
        sa.Column("hint", sa.Text),
        sa.Column("follow_up", sa.Text),
        sa.Column("graded_at", sa.DateTime(timezone=True)),
        sa.Column("score", sa.Float),
        sa.Column("max_score", sa.Float),
        sa.Column("grader", sa.String(32)),
        sa.Column("model", sa.String(200)),
        sa.Column("grade", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("own_score", sa.Float),
        sa.Column("own_reason", sa.Text),
        sa.Column("imported", sa.Boolean, nullable=False),
    )
    op.create_index("ix_entries_user_time", "entries", ["user", "answered_at"])
    op.create_index("ix_entries_user_question", "entries", ["user", "question_id"])


def downgrade() -> None:
    op.drop_table("entries")
