"""The reference paste stack bench/ serves under every host (see api-paste.ini)."""
