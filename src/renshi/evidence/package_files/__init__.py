"""Files copied as they are into every evidence package (``renshi.evidence.package``).

``verify.py`` is the package's own checker: it runs on the recipient's computer with nothing but
the Python standard library, so it imports nothing from Renshi.
"""
