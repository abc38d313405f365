"""operators-api: the operators (承接主体) that run the district's public cultural facilities."""
