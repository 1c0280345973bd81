"""Widgets, their version history, and team tokens.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "widget",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("element", sa.String(100), nullable=False),
        sa.Column("version", sa.String(128), nullable=False),
        sa.Column("origin", sa.String(2048), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        _time("registered_at"),
        _time("updated_at"),
        _time("last_seen"),
        _time("lease_expires_at"),
        _time("removed_at", nullable=True),
    )
    op.create_index("ix_widget_team", "widget", ["team"])
    op.create_index("ix_widget_element", "widget", ["element"])
    op.create_table(
        "widget_version",
        sa.Column("widget_id", sa.String(64), sa.ForeignKey("widget.id"), primary_key=True),
        sa.Column("version", sa.String(128), primary_key=True),
        sa.Column("origin", sa.String(2048), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        _time("registered_at"),
        _time("updated_at"),
    )
    op.create_table(
        "team_token",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _time("created_at"),
        _time("revoked_at", nullable=True),
    )
    op.create_index("ix_team_token_team", "team_token", ["team"])


def downgrade() -> None:
    op.drop_table("team_token")
    op.drop_table("widget_version")
    op.drop_table("widget")
