"""Code sets (ICD-10-CM, HCPCS, ...) as read by the engine, one module each."""
