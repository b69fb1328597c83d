"""``briefing init [FOLDER]``: write a new briefing folder that builds as it is.

Not a stage. Copies the starter briefing shipped inside the package (``briefing/starter/``, read
with ``importlib.resources`` so an installed wheel has it too): report.yaml with the common keys
set or commented, two short sections citing the bibliography (citations that become notes, a
note of the author's own inline and one with a label), sources.bib, a placeholder logo.svg and
a .gitignore for ``build/``. The starter's files are its only copy: the README and the tests
read them from there.

It never overwrites: a FOLDER that exists and holds anything but hidden entries (``.git``,
``.DS_Store``) is refused with :class:`~briefing.errors.UsageError` (exit 2: the command named
the wrong folder; nothing of the user's was read or written).
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .errors import UsageError

#: package files stored under another name (setuptools leaves dotfiles out of package data)
_RENAMED = {"gitignore": ".gitignore"}


def starter_files() -> list[Traversable]:
    """The starter briefing's files, as packaged."""
    folder = resources.files("briefing") / "starter"
    return sorted((f for f in folder.iterdir() if f.is_file() and not f.name.startswith(("_",
                                                                                         "."))),
                  key=lambda f: f.name)


def start_briefing(folder: Path) -> list[Path]:
    """Write the starter into ``folder`` (created if needed); return the files written."""
    _refuse_unless_empty(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for source in starter_files():
        target = folder / _RENAMED.get(source.name, source.name)
        with target.open("xb") as out:  # "x": never replace a file, even one made meanwhile
            out.write(source.read_bytes())
        written.append(target)
    return written


def _refuse_unless_empty(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"cannot start a briefing in {folder}: it is a file; give a new "
                         "folder name, for example: briefing init my-briefing")
    if not folder.is_dir():
        return
    entries = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    if entries:
        listed = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more"
                                           if len(entries) > 3 else "")
        raise UsageError(f"cannot start a briefing in {folder}: the folder is not empty "
                         f"({listed}); nothing was written. Give a new folder, for example: "
                         f"briefing init {folder / 'briefing'}")
