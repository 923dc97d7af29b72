"""Runners: the local one is :func:`innspill.pipeline.run_stages`; ``dask_runner`` spreads the same stages over a Dask cluster."""
