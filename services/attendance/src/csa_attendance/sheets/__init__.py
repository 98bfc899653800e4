"""AP service sheets (submitted by the Dageselteren agency) and charges outside the CSA."""
