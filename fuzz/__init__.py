"""Coverage-guided fuzzing of accord's media parsers with atheris (libFuzzer for Python).

One target per parser: sniffing, structure checks, image decode, audio decode, video
decode, metadata, and reading Content Credentials. Each feeds mutated bytes to the parser
through the library's own entry point and checks one contract: every exception that
escapes is an ``accord.errors`` error. A decoder's unforeseen exception that the decode
boundary (``accord.media.boundary``) turned into ``CorruptMedia`` counts as a finding
too, so the causes are found and fixed, not only contained.

    .venv/bin/python -m fuzz --seconds 60          # every target, 60 s each (make fuzz)
    .venv/bin/python -m fuzz --runs 300 video      # one target, a fixed number of inputs

Seeds are tiny files the targets make themselves, plus the small files of
``../shared/corpus`` when it is beside the checkout. Findings are written to
``.cache/fuzz/<target>/``.
"""
