"""Layouts, their append-only versions, and share links.

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
        "layout",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("description", sa.String(4000), nullable=False),
        sa.Column("edit_key_hash", sa.String(64), nullable=False),
        sa.Column("latest", sa.Integer(), nullable=False),
        sa.Column("latest_hash", sa.String(80), nullable=False),
        sa.Column("parent_id", sa.String(32), nullable=True),
        sa.Column("parent_version", sa.Integer(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _time("deleted_at", nullable=True),
    )
    op.create_index("ix_layout_owner", "layout", ["owner"])
    op.create_index("ix_layout_parent_id", "layout", ["parent_id"])
    op.create_index("ix_layout_updated", "layout", ["updated_at"])
    op.create_table(
        "layout_version",
        sa.Column("layout_id", sa.String(32), sa.ForeignKey("layout.id"), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("parent", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("message", sa.String(2000), nullable=False),
        sa.Column("content_hash", sa.String(80), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        _time("created_at"),
    )
    op.create_table(
        "layout_link",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("layout_id", sa.String(32), sa.ForeignKey("layout.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("view_state", sa.JSON(), nullable=True),
        _time("created_at"),
        _time("expires_at", nullable=True),
        _time("revoked_at", nullable=True),
    )
    op.create_index("ix_layout_link_layout_id", "layout_link", ["layout_id"])


def downgrade() -> None:
    op.drop_table("layout_link")
    op.drop_table("layout_version")
    op.drop_table("layout")
