"""Media intake: recognise, bound and decode images, video and audio safely."""
