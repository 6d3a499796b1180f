"""The upload page (``optimiser serve``): a thin web layer over :mod:`optimiser.pipeline`."""
