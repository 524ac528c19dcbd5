"""``python -m sim.validation``: run the validation cases and write the report."""

import sys

from sim.validation.report import main

if __name__ == "__main__":
    sys.exit(main())
