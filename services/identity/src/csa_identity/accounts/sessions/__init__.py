"""Parent sessions: refresh-token rotation and logout."""
