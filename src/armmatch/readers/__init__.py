"""Readers: one module per input format, each returning plain typed records.

A reader reads and checks its format (columns, coordinates, the file's own consistency) and
never classifies, calls or decides; format sniffing lives in ``cnv_formats`` and
``fusion_formats``.
"""
