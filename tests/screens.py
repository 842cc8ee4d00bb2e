"""Where browser tests put the screenshots they take: the folder SCREENSHOT_DIR names
(`SCREENSHOT_DIR=docs/screenshots make test` renews the pictures the docs show), else a
temporary folder, so that a test run leaves the checkout as it found it."""

import os
import tempfile
from pathlib import Path

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="newsroom-screenshots-"))
