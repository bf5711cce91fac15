"""``GET /metrics`` in Prometheus' text format, summed over every worker of a node.

``instruments`` holds what requests and jobs move (counters, histograms), ``middleware``
counts each request by route template, ``figures`` reads the queues' backlogs from the
database at scrape time, ``folder`` keeps the files the workers share, and ``router``
answers the scrape. Nothing is created at import time: the instruments on first use.
"""
