"""Knowledge base: loading, chunking, indexing and hybrid search over `knowledge/`."""
