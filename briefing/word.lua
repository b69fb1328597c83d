-- Runs in the Word edition's pandoc process (briefing/word.py), which runs with --sandbox and
-- so reads no file and fetches nothing. Every image arrives inside the tree as a data: URL;
-- it goes into pandoc's media bag under its own file name, so the Word file calls the picture
-- 'chart.png' (Word's alt text panel shows that name) and does not carry the data twice.
function Image(img)
  local name = img.attributes["briefing-name"]
  if name and img.src:sub(1, 5) == "data:" then
    local mime, contents = pandoc.mediabag.fetch(img.src)
    pandoc.mediabag.insert(name, mime, contents)
    img.src = name
  end
  img.attributes["briefing-name"] = nil
  return img
end
