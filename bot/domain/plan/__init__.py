"""The improvement plan: recommendations' actions, evidence and RAG, as plain Python.

The records are the store's (``bot.store.plan_model``); ``rag`` the published RAG rule (its
thresholds are settings), ``monitoring`` the one adapter from a measured target's
monitoring status to what the rule needs.
"""
