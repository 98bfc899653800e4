"""Documents a family, a provider or an archive can use: the RF payment reference, each
language's typography, and archival (PDF/A-2b), tagged PDFs."""
