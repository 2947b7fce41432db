"""Entry point of the desktop bundle: the same ``parallax`` command a pip install provides."""

import sys

from reader.cli import main

if __name__ == "__main__":
    sys.exit(main())
