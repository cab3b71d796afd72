"""The append-only, hash-chained audit trail (等保 2.0 level 3; PIPL). Write entries with services.audit_record."""
