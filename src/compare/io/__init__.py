"""Read: the catalogue of a corpus and the text of each plan (text, PDF, DOCX, HTML)."""

from compare.io.catalog import plan_file, read_catalog
from compare.io.readers import SourceText, read_document, read_text

__all__ = ["SourceText", "plan_file", "read_catalog", "read_document", "read_text"]
