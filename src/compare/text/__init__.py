"""Tokenize: MeCab with UniDic, curated compounds and variant folding; the comparison vocabulary."""

from compare.text.terms import load_terms, stat_term_candidates
from compare.text.tokenizer import Tokenizer, tokenize
from compare.text.vocabulary import Vocabulary

__all__ = ["Tokenizer", "Vocabulary", "load_terms", "stat_term_candidates", "tokenize"]
