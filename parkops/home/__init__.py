"""The signed-in user's landing page: the dashboard, one card per domain they use."""
