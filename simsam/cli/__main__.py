"""``python -m simsam.cli``: the same as the ``simsam`` command."""

import sys

from . import main

sys.exit(main())
