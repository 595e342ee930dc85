"""Knowledge: one loader per bundled resource and the manifest that versions them.

Transcripts, rule table, hotspots, kinase domains, Table 1 and ICD-10, drug classes, the BRCA
list, OncoKB evidence. ``knowledge.build`` holds what only builds or updates the resources.
"""
