"""Django set up for a bench script run from the project root, with production settings (DEBUG
off, a throwaway SECRET_KEY, quiet logs) and the script's own overrides.

The bench folder leaves sys.path first: a script's folder is sys.path[0], and a bench module
must not shadow a package of the project's or a library's.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(**environment: str) -> None:
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    os.environ.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 50),
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
            **environment,
        }
    )
    import django

    django.setup()
