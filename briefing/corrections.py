"""Where briefing deliberately differs from pandoc, and why: one list, declared once.

Not a stage. pandoc reads the sources and formats the citations; where pandoc is measurably
wrong on real-world input, a stage corrects it, and each correction is named here with its
reason (docs/design.md gives the examples). Every correction can be switched off: the
differential tests build with none of them and require pandoc's own output, character for
character, then with each one alone and require that only the items it touched differ.
"""

from __future__ import annotations

#: name -> why pandoc's result is wrong for a briefing
CORRECTIONS: dict[str, str] = {
    # reading the bibliography (bibliography.py)
    "one-name-lists": "biblatex reads publisher, institution, organization, school and "
                      "location as lists split at 'and'; real exports write one name there "
                      "('Organization for Security and Co-operation in Europe', 'Bosnia and "
                      "Herzegovina'), which pandoc prints as 'Security; Co-operation'",
    "legal-titles": "pandoc sentence-cases English titles; the names of laws, cases and "
                    "treaties are proper names that no style capitalises back",
    "year-range": "year = {2003--2005} is a range; pandoc prints it literally, with hyphens",
    "doi-prefix": "a DOI written as a URL (https://doi.org/…) gets the prefix twice",
    "straight-quotes": "straight double quotes typed in a title stay straight in pandoc; "
                       "they become the language's quotation marks",
    "url-in-howpublished": "howpublished = {\\url{…}} (Zotero, JabRef) is printed as a "
                           "publisher name, capitalised at the start of an entry; it is the "
                           "entry's URL",
    "braces-in-type": "pandoc reads type = {…} raw, so Better BibLaTeX's case protection "
                      "prints: 'Asia {{Report}} no. 250'",
    "language-field": "pandoc ignores language = {…} (Zotero writes it instead of langid), "
                      "so a Russian title in an English briefing is sentence-cased as English",
    # formatting (citations.py)
    "genitive-months": "Russian dates with a day take the month in the genitive (9 сентября "
                       "2011); pandoc and the CSL locale print the nominative (9 сентябрь)",
    "notes-together": "two citations written side by side ([@a] [@b].) get their notes "
                      "moved apart by pandoc ('Text¹ .²'); both calls go after the "
                      "punctuation, together ('Text.¹,²')",
    # writing (writer.py)
    "local-quotes": "pandoc's HTML writer prints English quotation marks in every language; "
                    "quotations in the text follow the briefing's language, as the notes do",
}
ALL = frozenset(CORRECTIONS)
