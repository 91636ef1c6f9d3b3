"""Question answering with cited passages over Chinese policy and industrial-park documents."""

__version__ = "0.1.0"
