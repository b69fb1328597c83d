"""briefing: typeset PDF briefings from Markdown and BibTeX.

The pipeline, one module per stage: config -> sources -> bibliography -> markdown ->
citations -> notes -> templates -> pdf; ``pipeline.build`` calls them in order and
``cli.main`` is the command line.
"""

__version__ = "0.1.0"
