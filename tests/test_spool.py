"""The spool: atomic receipt, one claim per file, quarantine with reasons, safe names."""
import json
import os
import time

import pytest

from app.spool import REASON_SUFFIX, Spool, SpoolError


@pytest.fixture
def spool(tmp_path):
    spool = Spool(tmp_path / "spool")
    spool.create()
    return spool


def test_add_writes_the_bytes_under_a_name_that_sorts_by_receipt(spool):
    first = spool.add(b"first", "1.2.3.4")
    second = spool.add(b"second", "1.2.3.5")

    assert first.read_bytes() == b"first"
    assert first.parent == spool.incoming
    assert "-1.2.3.4-" in first.name and first.name.endswith(".dcm")
    assert spool.waiting() == [first, second]
    # No temporary file is left behind.
    assert [p.name for p in spool.incoming.iterdir() if p.name.startswith(".")] == []


def test_a_uid_with_odd_characters_cannot_reach_the_file_name(spool):
    path = spool.add(b"x", "../../etc/passwd")
    assert path.parent == spool.incoming
    assert "-unknown-" in path.name
    assert "-unknown-" in spool.add(b"y", None).name


def test_a_failed_write_leaves_nothing(spool, monkeypatch):
    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        spool.add(b"data", "1.2.3")
    assert list(spool.incoming.iterdir()) == []


def test_a_file_is_claimed_once(spool):
    path = spool.add(b"data", "1.2")

    claimed = spool.claim(path)
    assert claimed == spool.working / path.name
    assert spool.claim(path) is None
    assert spool.waiting() == [] and spool.in_progress() == [claimed]


def test_release_moves_interrupted_files_back(spool):
    claimed = spool.claim(spool.add(b"data", "1.2"))

    released = spool.release_in_progress()

    assert released == [spool.incoming / claimed.name]
    assert spool.in_progress() == []
    assert released[0].read_bytes() == b"data"


def test_finish_deletes_or_keeps_by_kind(spool):
    deleted = spool.claim(spool.add(b"a", "1.1"))
    kept = spool.claim(spool.add(b"b", "1.2"))

    spool.finish(deleted)
    spool.finish(kept, keep_as="rdsr")

    assert not deleted.exists()
    assert (spool.kept / "rdsr" / kept.name).read_bytes() == b"b"


def test_quarantine_keeps_the_reason_beside_the_file(spool):
    path = spool.claim(spool.add(b"report", "1.2.840.1"))

    spool.quarantine(path, "rejected", "it is not a dose report", source="CT01 at 10.0.0.5",
                     sop_class_uid="1.2.840.10008.5.1.4.1.1.88.22", modality=None)

    note = json.loads((spool.quarantine_dir / (path.name + REASON_SUFFIX)).read_text())
    assert note["status"] == "rejected"
    assert note["reason"] == "it is not a dose report"
    assert note["source"] == "CT01 at 10.0.0.5"
    assert "modality" not in note
    [entry] = spool.quarantined()
    assert (entry.name, entry.status, entry.reason, entry.size) == (
        path.name, "rejected", "it is not a dose report", 6)
    assert entry.details["sop_class_uid"] == "1.2.840.10008.5.1.4.1.1.88.22"
    assert spool.counts() == {"waiting": 0, "working": 0, "quarantined": 1}


def test_requeue_and_delete_quarantined_files(spool):
    first = spool.quarantine(spool.claim(spool.add(b"1", "1.1")), "failed", "database down")
    second = spool.quarantine(spool.claim(spool.add(b"2", "1.2")), "rejected", "not dose")

    back = spool.requeue(first.name)
    spool.delete_quarantined(second.name)

    assert back == spool.incoming / first.name and back.read_bytes() == b"1"
    assert list(spool.quarantine_dir.iterdir()) == []


@pytest.mark.parametrize("name", ["../incoming/x.dcm", ".hidden", "", "missing.dcm",
                                  "x.dcm" + REASON_SUFFIX])
def test_only_quarantined_files_can_be_named(spool, name):
    spool.quarantine(spool.claim(spool.add(b"1", "1.1")), "failed", "why")
    (spool.quarantine_dir / ("x.dcm" + REASON_SUFFIX)).write_text("{}")
    with pytest.raises(SpoolError):
        spool.requeue(name)
    with pytest.raises(SpoolError):
        spool.delete_quarantined(name)


def test_stale_temporary_files_are_removed(spool):
    stale = spool.incoming / ".tmp-old.dcm"
    fresh = spool.incoming / ".tmp-new.dcm"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = time.time() - 7200
    os.utime(stale, (old, old))

    assert spool.remove_stale_temporary(older_than=3600) == 1
    assert not stale.exists() and fresh.exists()
    assert spool.waiting() == []
