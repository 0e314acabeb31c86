"""``python -m programgen``: the ``programgen`` command line."""

from programgen.client.cli import main

raise SystemExit(main())
