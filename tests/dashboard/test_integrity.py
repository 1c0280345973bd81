import base64
import hashlib

from dashboard.integrity import digest, matches


def test_digest_is_the_sri_form():
    expected = "sha384-" + base64.b64encode(hashlib.sha384(b"x").digest()).decode()
    assert digest(b"x") == expected


def test_matches_any_listed_hash_and_rejects_others():
    assert matches(b"x", digest(b"x"))
    assert matches(b"x", f"{digest(b'y', 'sha256')} {digest(b'x', 'sha512')}")
    assert not matches(b"x", digest(b"y"))
    assert not matches(b"x", "md5-abc")
    assert not matches(b"x", "")
