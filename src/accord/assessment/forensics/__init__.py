"""Classical, weight-free image forensics, each rendered for a person to read.

Four methods look for inconsistencies *inside* one picture: error level analysis
(``ela``), noise residual inconsistency (``noise``), JPEG ghosts (``ghost``) and copy-move
detection (``copymove``). Each returns a ``MethodReading``: a heatmap over a greyed copy
of the picture, a reading guide, what it found (a localized anomaly or nothing) and the
numbers behind it. Their findings are weak evidence by design: natural pictures trip them
(textures, text, graphics), whole-picture re-compression and resizing erase their traces,
and none of them sees a picture that was generated whole.

The modules import OpenCV at the top, so the producer imports this package only when it
runs.
"""
