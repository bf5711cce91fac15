"""Assessment: what is known about a media file, with evidence a fact-checker can cite."""
