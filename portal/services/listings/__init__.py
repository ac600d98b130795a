"""The beweegmakelaar's listings: programmes, locations, sessions, CSV and HSDS exchange."""
