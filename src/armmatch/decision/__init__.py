"""Decision: rule matching, eligibility (Table 1 and Table 2) and the arm assignment.

Nothing here sees a file format: it works on events, the patient and the knowledge.
"""
