"""The API's interactive documentation (``/docs``), served entirely from this package."""
