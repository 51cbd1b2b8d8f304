"""Read labelled CSV files for train, evaluate and import, with errors a person can act on."""

import csv
from pathlib import Path


class CsvError(Exception):
    pass


def read_rows(path: str | Path, *, columns: list[str], encoding: str = "utf-8-sig") -> list[dict]:
    """Rows of `path` as dicts holding `columns`. Raises CsvError for anything unusable."""
    path = Path(path)
    if not path.is_file():
        raise CsvError(f"{path}: no such file.")
    try:
        with path.open(newline="", encoding=encoding) as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames
            if not header:
                raise CsvError(f"{path}: the file is empty (no header row).")
            missing = [c for c in columns if c not in header]
            if missing:
                raise CsvError(
                    f"{path}: no column {', '.join(map(repr, missing))}; "
                    f"the columns are {', '.join(map(repr, header))}."
                )
            rows = [{c: (row.get(c) or "").strip() for c in columns} for row in reader]
    except UnicodeDecodeError as exc:
        raise CsvError(
            f"{path}: not valid {encoding} text ({exc.reason} at byte {exc.start}); "
            "save it as UTF-8 or pass --encoding."
        ) from exc
    except LookupError as exc:
        raise CsvError(f"Unknown encoding {encoding!r}.") from exc
    except csv.Error as exc:
        raise CsvError(f"{path}: not a readable CSV file ({exc}).") from exc
    if not rows:
        raise CsvError(f"{path}: the file has a header but no rows.")
    return rows
