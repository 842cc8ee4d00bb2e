"""`python bench/run.py [--quick] …`: the command line in use before bench/ became a package;
the same as `python -m bench` (bench/__main__.py)."""

import sys
from pathlib import Path

# Run as a script, bench/ itself comes first on the path; the package's root must.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main()
