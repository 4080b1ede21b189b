"""Importing contacts and accounts from files: reading a table, mapping its columns to fields,
and normalising each row into a record or the list of everything wrong with it.

Pure: no database and no network. The pipeline that stages and writes the rows builds on it.
"""
