-- Runs in the citations stage's pandoc process, after --citeproc (briefing/citations.py).
-- TeX math, in the text or in a reference's title ($\varepsilon$), is rendered by pandoc's
-- own HTML writer, so it reads exactly as pandoc would print it. The result is marked with a
-- format of our own, "briefing-html": raw HTML an author writes ("html") is never rendered,
-- so the writer must be able to tell pandoc's HTML from the author's.
function Math(el)
  local html = pandoc.write(pandoc.Pandoc({ pandoc.Plain({ el }) }), "html")
  return pandoc.RawInline("briefing-html", html)
end
