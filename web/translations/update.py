"""Extract the UI texts, write the Finnish and English catalogues and compile them.

    python -m web.translations.update

Finnish texts live in web/translations/fi.py (msgid → text, or (singular, plural)); English is
the msgid itself. A msgid with no Finnish text is reported and left untranslated.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from web.translations.fi import AUDIT_FI, DESIGNER_FI, FI

HERE = Path(__file__).parent
WEB = HERE.parent


def main() -> int:
    template = HERE / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(WEB / "babel.cfg"),
                    "-k", "N_", "--no-location", "--sort-output", "--omit-header", "-o", str(template), str(WEB)],
                   check=True, capture_output=True)
    missing = []
    finnish = {**FI, **AUDIT_FI, **DESIGNER_FI}
    for language in ("fi", "en"):
        with template.open("rb") as f:
            catalog = read_po(f, locale=language)
        for message in catalog:
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if language == "en":
                message.string = tuple(message.id) if isinstance(message.id, tuple) else message.id
            elif key in finnish:
                text = finnish[key]
                message.string = text
            elif key not in AUDIT_FI:
                missing.append(key)
        folder = HERE / language / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "messages.po").open("wb") as f:
            write_po(f, catalog, omit_header=False, no_location=True, sort_output=True, width=120)
        with (folder / "messages.mo").open("wb") as f:
            write_mo(f, catalog)
    for key in missing:
        print(f"no Finnish text: {key!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
