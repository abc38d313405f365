"""What feedback-api holds on a resident (个人信息): their export, and their erasure when the account is
deleted (the gateway's `account.deleted`)."""
