"""Residents' rights under the Personal Information Protection Law (个人信息保护法): export what the
platform holds on you, and delete your account (announced to the services as `account.deleted`)."""
