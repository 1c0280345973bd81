from datetime import UTC, datetime, timedelta

import pytest

from registry.domain.status import Status, parse_statuses, status_at

T0 = datetime(2026, 1, 1, tzinfo=UTC)
GRACE = timedelta(seconds=30)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-1, Status.LIVE), (0, Status.STALE), (29.9, Status.STALE), (30, Status.GONE), (3600, Status.GONE)],
)
def test_status_follows_the_lease_then_the_grace_period(offset, expected):
    assert status_at(T0 + timedelta(seconds=offset), lease_expires_at=T0, grace=GRACE) is expected


def test_deregistered_is_gone_even_with_a_lease():
    assert status_at(T0, lease_expires_at=T0 + GRACE, grace=GRACE, removed_at=T0) is Status.GONE


def test_parse_statuses():
    assert parse_statuses(None) == {Status.LIVE, Status.STALE}
    assert parse_statuses("gone") == {Status.GONE}
    assert parse_statuses("all") == set(Status)
    with pytest.raises(ValueError):
        parse_statuses("dead")
