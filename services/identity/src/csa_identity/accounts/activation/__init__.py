"""Activation code by post: request a letter, use the code with a new password and mobile,
confirm with the SMS code."""
