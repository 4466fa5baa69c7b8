"""The Kiln web project."""
