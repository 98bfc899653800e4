"""Shared CSA rule tables: money, categories, parameters, tariffs, periods, calendars.

Pure domain code: no I/O beyond reading the package's own data files once.
"""
