"""Values shared by the tests that log users in."""

#: The password test users get unless a test chooses another.
DEFAULT_PASSWORD = "correct-horse"
