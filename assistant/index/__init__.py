"""The index, in four parts: `tokenize` (jieba), `chroma` (the vector store), `catalog`
(SQLite: documents and chunks, with `migrations`, `keyword` search and the
`embedding_cache`) and `facade` (the `Index` that keeps them in agreement, with its writers'
`recovery`). The names other modules use are re-exported here.
"""

from __future__ import annotations

from assistant.index.catalog import Catalog, DocumentInfo
from assistant.index.chroma import VECTOR_STORES, ChromaVectorStore, VectorStore
from assistant.index.errors import EmbeddingMismatchError, IndexError_
from assistant.index.facade import Index
from assistant.index.tokenize import query_terms

__all__ = [
    "VECTOR_STORES",
    "Catalog",
    "ChromaVectorStore",
    "DocumentInfo",
    "EmbeddingMismatchError",
    "Index",
    "IndexError_",
    "VectorStore",
    "query_terms",
]
