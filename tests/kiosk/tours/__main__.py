"""`python -m tests.kiosk.tours TOUR ...`: run one tour (tests.kiosk.tours.cli)."""

import sys

from tests.kiosk.tours.cli import main

sys.exit(main())
