"""The team server in the window: hits opened from the server, notes sync from a menu."""
