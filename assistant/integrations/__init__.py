"""Adapters that let other frameworks use the assistant's parts (see `langchain`)."""
