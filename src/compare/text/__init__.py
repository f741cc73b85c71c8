"""Tokenize: MeCab with UniDic, curated compounds and variant folding."""

from compare.text.terms import load_terms, stat_term_candidates
from compare.text.tokenizer import Tokenizer, tokenize

__all__ = ["Tokenizer", "load_terms", "stat_term_candidates", "tokenize"]
