"""The parent portal: a server-rendered backend-for-frontend over the services' public APIs."""
