"""Split knowledge files into passages that make sense when retrieved alone.

Markdown headings become a heading path kept in metadata (and shown to users as where a passage
comes from); long sections are cut by token count. Each passage is embedded with its document
title and heading path in front, because a bare paragraph ("this stage…") loses the subject that a
question is about.
"""

from __future__ import annotations

from langchain_core.documents import Document
from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from bot.retrieval.documents import KnowledgeFile
from bot.tokens import ENCODING_NAME

CHUNK_TOKENS = 320
OVERLAP_TOKENS = 40
HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]


def _splitters() -> tuple[MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter]:
    by_heading = MarkdownHeaderTextSplitter(headers_to_split_on=HEADERS, strip_headers=True)
    by_size = RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=ENCODING_NAME, chunk_size=CHUNK_TOKENS, chunk_overlap=OVERLAP_TOKENS
    )
    return by_heading, by_size


def context_header(title: str, heading: str) -> str:
    """The line put before a passage's text when it is embedded and searched."""
    return f"{title} — {heading}" if heading and heading != title else title


def chunk_file(knowledge: KnowledgeFile) -> list[Document]:
    """Passages of one file, in reading order, with everything search results display."""
    by_heading, by_size = _splitters()
    documents: list[Document] = []
    for section in by_heading.split_text(knowledge.body):
        meta = section.metadata
        headings = [meta[key] for key in ("h1", "h2", "h3") if meta.get(key)]
        if headings and headings[0] == knowledge.title:
            headings = headings[1:]
        heading = " > ".join(headings)
        for piece in by_size.split_text(section.page_content):
            if not piece.strip():
                continue
            header = context_header(knowledge.title, heading)
            documents.append(
                Document(
                    page_content=f"{header}\n\n{piece.strip()}",
                    metadata={
                        "path": knowledge.path,
                        "title": knowledge.title,
                        "kind": knowledge.kind,
                        "source": knowledge.source,
                        "source_url": " ".join(knowledge.source_urls),
                        "reviewed": knowledge.reviewed,
                        "tags": ", ".join(knowledge.tags),
                        "heading": heading,
                        "body_start": len(header) + 2,
                        "chunk": len(documents),
                    },
                )
            )
    return documents
