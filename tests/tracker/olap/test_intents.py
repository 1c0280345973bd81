"""The journal of inserts started (tracker.olap.intents), and what a recovering writer takes from it."""

from tracker.olap.intents import Intents
from tracker.stream.port import TopicPartition
from tracker.writer.ledger import touching


def found(journal, topic, partition, from_offset):
    """What a recovering writer takes from the journal for one partition (``_lookup``)."""
    return touching(journal.recent(), TopicPartition(topic, partition), from_offset)


def test_noted_tokens_are_found_by_partition_and_offset(tmp_path):
    journal = Intents(tmp_path / "db.intents")
    journal.note("t/0/0-9+t/1/5-7")
    journal.note("t/0/10-19")
    assert found(journal, "t", 0, 10) == {"t/0/10-19"}
    assert found(journal, "t", 0, 9) == {"t/0/0-9+t/1/5-7", "t/0/10-19"}
    assert found(journal, "t", 1, 8) == set()  # committed past
    assert found(journal, "u", 0, 0) == set()
    journal.close()
    assert found(Intents(tmp_path / "db.intents"), "t", 1, 0) == {"t/0/0-9+t/1/5-7"}  # a new process reads it


def test_a_torn_last_line_and_foreign_tokens_are_skipped(tmp_path):
    path = tmp_path / "db.intents"
    path.write_text("t/0/0-9\nnot a block\nt/0/10-1")  # killed mid-write
    assert found(Intents(path), "t", 0, 0) == {"t/0/0-9"}


def test_the_journal_keeps_the_newest_tokens_only(tmp_path):
    journal = Intents(tmp_path / "db.intents", keep=4)
    for i in range(40):
        journal.note(f"t/0/{i * 10}-{i * 10 + 9}")
    assert found(journal, "t", 0, 0) == {f"t/0/{i * 10}-{i * 10 + 9}" for i in range(36, 40)}
    assert len((tmp_path / "db.intents").read_text().splitlines()) <= 16
    journal.close()
