-- A pandoc reader for briefing's reading stage (briefing/reader.py): several Markdown texts,
-- given as a JSON list on standard input, each read on its own exactly as
-- `pandoc --from=markdown` reads one file, in one pandoc process (starting pandoc once per
-- section cost 15 ms of system time each). Each text's blocks come back in a Div of their own,
-- in order; each text's YAML metadata in the list `sections` of the document's metadata.
function Reader(input, opts)
  local texts = pandoc.json.decode(tostring(input), false)
  local blocks, metas = pandoc.List(), pandoc.List()
  for _, text in ipairs(texts) do
    local doc = pandoc.read(text, "markdown", opts)
    blocks:insert(pandoc.Div(doc.blocks))
    metas:insert(doc.meta)
  end
  local out = pandoc.Pandoc(blocks)
  out.meta.sections = metas
  return out
end
