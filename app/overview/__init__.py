"""Overview (总览): read models that combine several domains, e.g. the enterprise card a QR code
opens (its hazards, inspections and interviews). Nothing here changes state."""
