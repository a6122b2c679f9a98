"""Background jobs: long work (restructuring plans, statistical forms, large exports) run by the
worker off the request path, with its progress stored and shown, and its file kept for the owner.

Apps above register the kinds of work they offer (``jobs.registry``); this app runs them.
"""
