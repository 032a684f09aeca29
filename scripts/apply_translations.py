"""Fill a .po catalogue from a {source: translation} mapping (a developer tool).

Usage: python scripts/apply_translations.py MAPPING.py locale/en/LC_MESSAGES/django.po
The mapping file defines EN = {...}. Entries already translated are kept unless the
mapping has them; the script lists every msgid still untranslated afterwards.
"""

import runpy
import sys

from babel.messages.pofile import read_po, write_po


def main(mapping_path: str, po_path: str) -> int:
    mapping = runpy.run_path(mapping_path)["EN"]
    with open(po_path, "rb") as handle:
        catalog = read_po(handle, locale="en")
    catalog.project, catalog.version = "wenzhou-portal", "1"
    catalog.fuzzy = False
    catalog.language_team = catalog.last_translator = "Wenzhou portal developers"
    for message in catalog:
        # A plural entry is keyed by its singular form and maps to (singular, plural).
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key and key in mapping:
            message.string = mapping[key]
            message.flags.discard("fuzzy")
    with open(po_path, "wb") as handle:
        write_po(handle, catalog, width=0)
    missing = [
        message.id
        for message in catalog
        if message.id
        and not (all(message.string) if isinstance(message.string, tuple) else message.string)
    ]
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
