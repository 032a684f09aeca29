"""`make bench`: city-scale synthetic data, a loaded portal, and the figures it reaches.

Scripts, not part of the portal: ``bench.run`` drives a whole run; ``bench.load_data``,
``bench.recompute`` and ``bench.routing`` each run in a process of their own.
"""
