"""Files in and out: intake checks, sheets and columns, inventory importers, sizing, the reader,
error marking, and the writers of workbooks, CSV and JSON. Nothing here solves."""
