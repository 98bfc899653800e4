"""The parent's virtual office: password, e-mail, mobile, children, LuxTrust certificates."""
