"""Tables of the membership service."""

from csa_shared.messaging.tables import service_metadata

metadata = service_metadata()
