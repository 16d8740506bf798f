"""Constants shared by tests and conftest."""

PASSWORD = "correct horse battery staple"
