"""Files held for a form being corrected: signed, expiring, never a client's path."""

from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from wenzhou_portal import held_uploads
from wenzhou_portal.held_uploads import HeldBatch, held_add, held_discard, held_open, held_read


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_held_file_comes_back_from_its_token(media):
    batch = held_add(HeldBatch(), name="photo1.jpg", data=b"one")
    batch = held_add(batch, name="photo2.jpg", data=b"two")
    back = held_read(batch.token)
    assert [item.name for item in back.files] == ["photo1.jpg", "photo2.jpg"]
    assert [held_open(back, item) for item in back.files] == [b"one", b"two"]
    stored = [path for path in media.rglob("*") if path.is_file()]
    assert len(stored) == 2
    assert all(held_uploads.HELD_PREFIX in str(path) for path in stored)
    assert not any("photo" in str(path) for path in stored)  # the citizen's name is no path


@pytest.mark.parametrize(
    "token",
    ["", None, 42, "held-uploads/../../etc/passwd", "x" * 5000, "abc:def:ghi"],
)
def test_anything_but_a_token_we_signed_holds_nothing(token):
    assert held_read(token) == HeldBatch()


def test_a_tampered_token_holds_nothing():
    batch = held_add(HeldBatch(), name="a.png", data=b"a")
    assert held_read(batch.token[:-2] + "xx") == HeldBatch()


def test_a_signed_token_naming_a_path_outside_the_batch_holds_nothing():
    batch = held_add(HeldBatch(), name="a.png", data=b"a")
    forged = signing.dumps(
        {"b": batch.batch, "f": [["../../../etc/passwd", "x"]]}, salt=held_uploads._SALT
    )
    assert held_read(forged) == HeldBatch()
    forged = signing.dumps(
        {"b": "../..", "f": [[batch.files[0].key, "x"]]}, salt=held_uploads._SALT
    )
    assert held_read(forged) == HeldBatch()


def test_a_token_expires_with_its_batch(settings):
    batch = held_add(HeldBatch(), name="a.png", data=b"a")
    later = timezone.now() + timedelta(seconds=held_uploads.HOLD_SECONDS + 5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert held_read(batch.token) == HeldBatch()


def test_a_file_already_deleted_is_left_out():
    batch = held_add(HeldBatch(), name="a.png", data=b"a")
    batch = held_add(batch, name="b.png", data=b"b")
    held_discard(batch, {batch.files[0].key})
    assert [item.name for item in held_read(batch.token).files] == ["b.png"]


def test_the_names_shown_back_are_plain_names():
    batch = held_add(HeldBatch(), name="C:\\Users\\老王\\照片\x00.jpg", data=b"a")
    assert batch.files[0].name == "照片.jpg"
    assert held_add(HeldBatch(), name="", data=b"a").files[0].name


def test_beat_deletes_batches_past_their_hold_and_keeps_fresh_ones(media):
    old = held_add(HeldBatch(), name="old.png", data=b"old")
    later = timezone.now() + timedelta(seconds=held_uploads.HOLD_SECONDS + 60)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        fresh = held_add(HeldBatch(), name="fresh.png", data=b"fresh")
    assert held_uploads.held_expired_delete(now=later) == 1
    assert not (media / held_uploads.HELD_PREFIX / old.batch).exists()
    assert held_open(fresh, fresh.files[0]) == b"fresh"
    assert held_uploads.held_expired_delete(now=later) == 0


def test_the_cleanup_is_a_beat_task(settings):
    from wenzhou_portal.tasks import held_uploads_expire

    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "wenzhou_portal.tasks.held_uploads_expire" in entries
    assert held_uploads_expire() == 0


def test_cleanup_with_nothing_held_is_quiet():
    assert held_uploads.held_expired_delete() == 0
