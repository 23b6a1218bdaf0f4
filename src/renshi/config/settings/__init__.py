"""Settings per environment: ``dev`` (default), ``test`` and ``prod``; ``base`` holds the rest."""
