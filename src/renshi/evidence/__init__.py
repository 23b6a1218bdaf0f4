"""The evidence log: an append-only, tamper-evident record of what Renshi did and sent.

Services append entries in the same transaction as the business change they record
(``services.evidence_append``); checkpoints sign the log's Merkle root (``checkpoints``), an
outside timestamp authority may countersign them (``tsa``), and ``verify`` recomputes everything
from the stored bytes. See ``models`` for what an entry holds.
"""
