"""What operators-api holds on a resident (个人信息): nothing keyed by their account, and the export says so."""
