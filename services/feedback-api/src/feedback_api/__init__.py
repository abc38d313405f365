"""feedback-api: what residents say about the district's public cultural facilities."""
