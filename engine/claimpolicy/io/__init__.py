"""Reading claim documents in and writing reports out."""
