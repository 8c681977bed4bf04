"""`python -m hall`: the same as the `hall` console script."""

import sys

from hall.cli import main

sys.exit(main())
