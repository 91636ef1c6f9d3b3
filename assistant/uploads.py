"""The page's uploads: safe names, the private temporary folder, and no copy left behind.

An uploaded file passes through two places: Gradio's temporary folder (set to
`data_dir/tmp`, owner-only, emptied once the file is ingested and at every start) and
`data_dir/uploads/`, the copy the document was ingested from. A copy there is kept only
while its document is in the catalog: an upload killed half-way (the app stopped) leaves
no file that nothing indexes and the page cannot delete.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from assistant.config import Settings
from assistant.index import Index

# File systems allow 255 bytes a name; a Chinese character takes 3 in UTF-8.
MAX_NAME_BYTES = 180
BACKUP = ".{name}.previous"  # an upload's earlier version, kept until the new one is in


def safe_name(name: str) -> str:
    """A file name with no directories, no traversal and no odd characters; a long one is
    shortened keeping its extension, with a digest of the whole name so that two long
    names sharing a beginning stay apart."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\-\u3400-\u9fff]", "_", base).lstrip(".") or "upload.txt"
    if len(base.encode("utf-8")) <= MAX_NAME_BYTES:
        return base
    stem, ext = os.path.splitext(base)
    ext = ext if len(ext) <= 10 else ""
    tag = "-" + hashlib.sha1(base.encode("utf-8")).hexdigest()[:10]
    room = MAX_NAME_BYTES - len(ext.encode("utf-8")) - len(tag)
    return stem.encode("utf-8")[:room].decode("utf-8", "ignore") + tag + ext


def temp_dir(settings: Settings) -> Path:
    """Where Gradio keeps uploads while they are handled: inside the data folder, readable
    by the owner only, emptied of what an earlier run left."""
    folder = settings.data_dir / "tmp"
    if folder.exists():
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def discard_temp(path: Path, settings: Settings) -> None:
    """Remove Gradio's copies of an upload once it is handled: the file handed to the page
    (in a per-upload folder, removed when empty) and the raw copy Gradio received it in (a
    file of the same bytes at the folder's top). Nothing outside the folder is touched."""
    root = (settings.data_dir / "tmp").resolve()
    path = path.resolve()
    if root not in path.parents or not path.is_file():
        return
    size, digest = path.stat().st_size, _digest(path)
    for raw in root.iterdir():
        if raw.is_file() and raw.stat().st_size == size and _digest(raw) == digest:
            raw.unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent


def _digest(path: Path) -> str:
    h = hashlib.sha1()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def settle_uploads(index: Index) -> int:
    """Keep in uploads/ only the files whose document is in the catalog, each in the
    version the catalog holds (a killed upload's backup is put back when the new version
    never went in). Run under the writer lock; returns how many files were removed."""
    from assistant.ingest import file_hash  # late: ingest imports the index

    folder = index.settings.uploads_dir
    if not folder.is_dir():
        return 0
    docs = {d.doc_id: d for d in index.catalog.documents() if d.status == "ready"}
    removed = 0
    for backup in sorted(folder.glob(BACKUP.format(name="*"))):
        dest = folder / backup.name[1 : -len(".previous")]
        doc = docs.get(dest.name)
        if doc and dest.is_file() and file_hash(index, dest) == doc.content_hash:
            backup.unlink()  # the new version went in; the killed upload only left this
        elif doc:
            os.replace(backup, dest)  # the catalog still holds the earlier version
        else:
            backup.unlink()
            removed += 1
    for path in folder.iterdir():
        if path.is_file() and not path.name.startswith(".") and path.name not in docs:
            path.unlink()
            removed += 1
    return removed
