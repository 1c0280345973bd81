"""Daily salts: rotation, destruction after 48 h, file modes, agreement between processes."""

import stat

from tracker.enrich.salts import SaltStore
from tracker.enrich.visitor import VisitorHasher

DAY = 86400.0


def test_salt_is_stable_within_a_day_and_rotates_at_midnight(tmp_path):
    now = [10 * DAY + 5]
    salts = SaltStore(tmp_path, clock=lambda: now[0])
    first = salts.salt()
    now[0] = 10 * DAY + 80000
    assert salts.salt() == first
    now[0] = 11 * DAY + 1
    assert salts.salt() != first


def test_old_salts_are_destroyed_keeping_today_and_yesterday(tmp_path):
    now = [10 * DAY]
    salts = SaltStore(tmp_path, clock=lambda: now[0])
    for day in range(10, 14):
        now[0] = day * DAY
        salts.salt()
    assert sorted(p.name for p in tmp_path.glob("*.salt")) == ["1970-01-13.salt", "1970-01-14.salt"]


def test_salt_files_are_private(tmp_path):
    SaltStore(tmp_path / "salts", clock=lambda: 0.0).salt()
    (path,) = (tmp_path / "salts").glob("*.salt")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "salts").stat().st_mode) == 0o700


def test_two_stores_on_one_directory_agree(tmp_path):
    assert SaltStore(tmp_path, clock=lambda: 0.0).salt() == SaltStore(tmp_path, clock=lambda: 0.0).salt()


def test_visitor_hash_changes_with_the_day(tmp_path):
    hasher = VisitorHasher(SaltStore(tmp_path, clock=lambda: 0.0))
    today = hasher.visitor("s", "1.2.3.4", "ua", 0.0)
    assert len(today) == 16 and today == hasher.visitor("s", "1.2.3.4", "ua", 100.0)
    assert today != hasher.visitor("s", "1.2.3.4", "ua", DAY)
    assert today != hasher.visitor("s", "1.2.3.5", "ua", 0.0)


def test_digest_of_raw_bytes_equals_the_visitor_hash(tmp_path):
    hasher = VisitorHasher(SaltStore(tmp_path))
    now = 20 * DAY + 5
    for ua in ("Mozilla/5.0", "Mözilla/5.0 \u00ff"):
        material = "demo.local\x00198.51.100.7\x00".encode() + ua.encode("utf-8")
        assert hasher.digest(material, now) == hasher.visitor("demo.local", "198.51.100.7", ua, now).encode()
    assert hasher.digest(b"x", now) != hasher.digest(b"x", now + DAY)
