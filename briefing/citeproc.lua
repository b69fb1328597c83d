-- Runs inside pandoc after --citeproc (see briefing/citations.py): every note citeproc made
-- becomes an inline <span class="csl-note">, so each citation's HTML stays in its own
-- <span id="cite-N"> and Python can read it back. The reference list is pandoc's Div#refs.
function Note(el)
  return pandoc.Span(pandoc.utils.blocks_to_inlines(el.content), pandoc.Attr("", { "csl-note" }))
end
