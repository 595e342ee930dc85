r"""Calling: the only code that turns readers' records into :class:`~armmatch.events.Event`\ s.

Consequence classes, alleles and normalisation, the reference-FASTA mode, HGVS, the purity
formula and gene-level copy number, fusion partner roles, frame and kinase retention, and the
checks that a file is of the patient's genome build.
"""
