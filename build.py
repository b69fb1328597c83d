"""Build a briefing: ``python build.py [SOURCE] [-o OUTPUT.pdf]`` (see README)."""

from briefing.cli import main

raise SystemExit(main())
