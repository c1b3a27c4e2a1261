"""Output formats. Each reporter turns a :class:`~orylint.scan.ScanResult` into text."""
