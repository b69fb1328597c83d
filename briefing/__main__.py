"""``python -m briefing``: the same command line as the ``briefing`` script (see ``cli.py``)."""

from .cli import main

raise SystemExit(main())
