"""Where the PDF goes: the output path checked, the PDF written atomically, leftovers removed.

Not a stage: the CLI checks ``-o`` with :func:`check_output` before anything is read, the
pipeline and the fingerprint name the target with :func:`target_path`, and every builder
writes with :func:`write_atomically` (or :func:`atomic_target`, for pandoc to write into).

* A target that is a symbolic link is refused, and so is a linked folder on the way to it below
  the current directory: a partner's folder could hold ``build -> ~/Documents`` or
  ``build/report.pdf -> ~/contract.pdf``, and briefing would replace a file it never made.
* The PDF is written to a temporary file beside the target and renamed over it, so the
  previous PDF stays whole whatever happens (an error, Ctrl-C, ``kill -9``, a full disk). The
  temporary file is named ``.NAME.PID.RANDOM.tmp``: a build killed before it could remove its
  own is recognised by the next build, which removes it once its process is gone.
* The PDF gets the permissions a new file gets (``0666`` less the umask), or the previous
  PDF's; never the ``0600`` of a temporary file.
"""

from __future__ import annotations

import glob
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .config import OUTPUT_KINDS
from .errors import BriefingError, UsageError

_SUFFIX = ".tmp"
#: temporary files of an older naming (no process id) are removed when older than this
_STALE_SECONDS = 3600


def target_path(output: Path) -> Path:
    """The absolute target: its folder resolved, its own name kept (never followed)."""
    output = Path(os.path.abspath(output))
    return output.parent.resolve() / output.name


def check_output(output: Path) -> None:
    """``-o``'s mistakes, before anything is built (exit 2): a folder, a link, not a PDF, web
    page or Word file."""
    if output.is_dir() and not output.is_symlink():
        raise UsageError(f"-o {output}: that is a folder; give the PDF's file name, for "
                         f"example -o {output / 'briefing.pdf'}")
    if output.suffix.lower() not in OUTPUT_KINDS.values():
        raise UsageError(f"-o {output}: the output must be a .pdf, .html or .docx file "
                         f"(for example -o {output.with_suffix('.pdf').name})")
    problem = _link_on_the_way(output)
    if problem:
        raise UsageError(f"-o {output}: {problem}")


def refuse_unsafe_target(target: Path, given: Path | None = None) -> None:
    """The same checks for a target the pipeline chose (``build/<name>.pdf``); exit 1."""
    problem = _link_on_the_way(given or target)
    if problem is None and target.exists() and not target.is_file():
        problem = "it exists and is not a regular file"
    if problem:
        raise BriefingError(f"refusing to write {target}: {problem}")


def _link_on_the_way(output: Path) -> str | None:
    path = Path(os.path.abspath(output))
    if path.is_symlink():
        return (f"it is a symbolic link (to {os.readlink(path)}); briefing never writes "
                "through a link: remove it or give another name")
    cwd = Path(os.path.abspath(Path.cwd()))
    if path.is_relative_to(cwd):
        folder = path.parent
        while folder != cwd and folder.is_relative_to(cwd):
            if folder.is_symlink():
                return (f"the folder {folder} is a symbolic link (to {os.readlink(folder)}); "
                        "briefing never writes through a link: remove it or give -o a real "
                        "folder")
            folder = folder.parent
    return None


def write_atomically(target: Path, write: Callable[[BinaryIO], object]) -> int:
    """Write ``target`` through a temporary file renamed over it (see the module's notes);
    return the bytes written."""
    with atomic_target(target) as tmp, open(tmp, "wb") as out:
        write(out)
        out.flush()
        os.fsync(out.fileno())
    return target.stat().st_size


@contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target`` for us or another program (pandoc) to write,
    renamed over ``target`` when the block ends without an error, removed when it does not."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=_SUFFIX,
                                   dir=folder)
        os.close(fd)
    except OSError as exc:
        raise BriefingError(_cannot_write(target, exc)) from None
    try:
        yield Path(tmp)
        os.chmod(tmp, _mode_for(target))
        if target.is_symlink():  # planted while we laid out: still never write through it
            raise BriefingError(f"refusing to write {target}: it became a symbolic link "
                                "during the build")
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise BriefingError(_cannot_write(target, exc)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cannot_write(target: Path, exc: OSError) -> str:
    return (f"cannot write {target}: {exc.strerror or exc}; the previous PDF (if any) is "
            "unchanged. Give -o a folder you can write to")


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def remove_stale(target: Path) -> list[Path]:
    """Remove temporary files of ``target`` whose writing process is gone; return them."""
    removed = []
    pattern = f".{glob.escape(target.name)}.*{_SUFFIX}"
    for path in target.parent.glob(pattern):
        if _abandoned(path, target.name):
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


def _abandoned(path: Path, name: str) -> bool:
    """Its process is gone, or it is older than any build may take (a reused process id)."""
    try:
        if time.time() - path.stat().st_mtime > _STALE_SECONDS:
            return True
    except OSError:
        return False
    middle = path.name[len(name) + 2:-len(_SUFFIX)]  # "PID.RANDOM" (or "RANDOM", older)
    pid_text = middle.split(".", 1)[0]
    if not (pid_text.isdigit() and "." in middle) or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, another user's
    return False
