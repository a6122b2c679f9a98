"""Reads of members, one module per topic: ``figures`` (counts of a subtree, today and on a past
day), ``search`` (the search, its export, an organization's roll), ``profile`` (one member's
record and history), ``badges``, ``positions``, ``transfers``, ``votes`` (who counts in a vote)
and ``todo`` (what falls due). Every read of people takes the acting ``Scope`` and is audited
where it is made."""
