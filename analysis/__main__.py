"""``python -m analysis`` is the same as the ``workbench`` command."""

from analysis.cli import main

raise SystemExit(main())
