"""The English catalogue is complete: every message marked for translation has English."""

from babel.messages.pofile import read_po

from tests.support import REPO_ROOT

CATALOG = REPO_ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_english_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    missing = [
        message.id
        for message in catalog
        if message.id
        and (not all(message.string) if isinstance(message.string, tuple) else not message.string)
    ]
    assert missing == []
    assert not [message.id for message in catalog if message.fuzzy and message.id]
