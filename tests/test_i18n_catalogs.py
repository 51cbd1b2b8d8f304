"""The translation catalogs: every served language has one, complete, and its committed .mo
(what Django reads; a fresh machine needs no gettext) says what its .po says."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]


def compiled(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_served_language_has_a_catalog(language):
    assert (LOCALE / language / "LC_MESSAGES" / "django.po").is_file()
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").is_file()


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext's msgfmt (.ci/run)")
@pytest.mark.parametrize("language", TRANSLATED)
def test_the_committed_mo_matches_its_po(language, tmp_path):
    """Compare what the catalogs say, not their bytes (msgfmt versions order them
    differently). Fails after a .po edit without `manage.py compilemessages`."""
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(po)], check=True)
    committed = compiled(LOCALE / language / "LC_MESSAGES" / "django.mo")
    assert committed._catalog == compiled(fresh)._catalog, (
        f"locale/{language}: run `manage.py compilemessages` and commit the .mo"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language):
    catalog = compiled(LOCALE / language / "LC_MESSAGES" / "django.mo")._catalog
    messages = {key: text for key, text in catalog.items() if key != ""}
    assert len(messages) > 200
    assert all(text for text in messages.values())
