-- Runs inside pandoc after --citeproc (see briefing/citations.py).
-- Turns every note citeproc made into an inline span, then answers with one JSON object:
--   cites: { "cite-N": "<html of citation N>" }   (a note is <span class="csl-note">…</span>)
--   refs:  [ { id = key, html = "<html of the entry>" } ]   in the style's order
local opts = { wrap_text = "none" }

local function to_html(blocks)
  return pandoc.write(pandoc.Pandoc(blocks), "html", opts)
end

function Pandoc(doc)
  doc = doc:walk({
    Note = function(el)
      return pandoc.Span(pandoc.utils.blocks_to_inlines(el.content), pandoc.Attr("", { "csl-note" }))
    end,
  })
  local out = { cites = {}, refs = {} }
  doc:walk({
    Span = function(el)
      if el.identifier:match("^cite%-") then
        out.cites[el.identifier] = to_html({ pandoc.Plain(el.content) })
      end
    end,
    Div = function(el)
      if el.identifier:match("^ref%-") then
        table.insert(out.refs, { id = el.identifier:sub(5), html = to_html(el.content) })
      end
    end,
  })
  out.cites["cite-none"] = ""
  return pandoc.Pandoc({ pandoc.RawBlock("html", pandoc.json.encode(out)) })
end
