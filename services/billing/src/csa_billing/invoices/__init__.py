"""Invoices and statements as their readers get them: JSON, PDFs, lists."""
