"""facilities-api: the registry of the district's public cultural facilities."""
