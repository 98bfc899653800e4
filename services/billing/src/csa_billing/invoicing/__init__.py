"""Period close: invoices, statements, adjustments."""
