"""Extractor tests import the application package and the shared test helpers directly."""
import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[1]
for path in (_TESTS, _TESTS.parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
