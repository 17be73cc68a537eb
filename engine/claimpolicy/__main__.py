"""`python -m claimpolicy` runs the command line."""

import sys

from claimpolicy.cli import main

sys.exit(main())
