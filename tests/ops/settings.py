"""Settings for the server subprocesses of tests/ops: the real settings plus a test-only URL (tests/ops/urls.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.ops.urls"

# Test users are created by factories in the pytest process, whose passwords are hashed with MD5 (fast).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
