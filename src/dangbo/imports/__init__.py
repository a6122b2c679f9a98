"""Spreadsheets in: organizations, hamlets and members read from the books offices keep (the
member list book 7-HSĐV, the member sheet 2-HSĐV, the flat template), staged row by row with
the reasons of every refusal, and written to the register only when the user confirms
(issue 22)."""
