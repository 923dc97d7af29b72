"""innspill: turn answers to a set of questions into something a speaker can act on."""

__version__ = "0.1.0"
SCHEMA = "innspill.analysis/1"
