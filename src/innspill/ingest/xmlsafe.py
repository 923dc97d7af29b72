"""Stream an XML export safely.

The parser never resolves entities, never loads a DTD and never touches the
network; a document that declares a DTD at all (internal subset or external
reference, where billion-laughs and XXE attacks live) is refused with E109
before any of its content is read. WordPress and Disqus exports never carry a
DTD. Elements are delivered as ``(event, element)`` pairs from
``lxml.etree.iterparse``, so memory stays flat when the reader clears what it
has used; a syntax error becomes :class:`Broken` with its line and column.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from ..errors import InnspillError, warning


class Broken(Exception):
    """The XML stops being well-formed at ``line``/``column``."""

    def __init__(self, line: int, column: int, message: str):
        self.line, self.column, self.message = line, column, message
        super().__init__(f"line {line}, column {column}: {message}")


def local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(el) -> str:
    tag = el.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def events(path: str, encoding: str | None = None, facts: dict | None = None) -> Iterator[tuple[str, etree._Element]]:
    """``(event, element)`` for every start and end tag; refuses any DTD (E109).
    ``facts`` gets the document's declared ``encoding``."""
    ctx = etree.iterparse(path, events=("start", "end"), resolve_entities=False, no_network=True,
                          load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True,
                          remove_pis=True, encoding=encoding)
    checked = False
    try:
        for event, el in ctx:
            if not checked:
                checked = True
                docinfo = el.getroottree().docinfo
                refuse_dtd(docinfo, path)
                if facts is not None:
                    facts["encoding"] = (encoding or docinfo.encoding or "utf-8").lower()
            if isinstance(el, etree._Entity):
                raise InnspillError("E109", "the XML uses an entity reference", path=path,
                                    line=el.sourceline)
            yield event, el
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (exc.lineno or 0, 0)
        msg = _clean(exc.msg or str(exc))
        first = next((e for e in ctx.error_log if e.level_name == "FATAL"), None)
        if (not line or msg == "no element found") and first is not None:
            line, col, msg = first.line, first.column, _clean(first.message)
        raise Broken(line or 0, col or 0, msg) from None
    except (LookupError, ValueError) as exc:  # an unknown encoding in the XML declaration or --encoding
        raise Broken(1, 0, str(exc)) from None


def refuse_dtd(docinfo, path: str) -> None:
    dtd = docinfo.internalDTD
    if dtd is not None or docinfo.system_url or docinfo.public_id or docinfo.doctype:
        what = "an external DTD" if (docinfo.system_url or docinfo.public_id) else "a DTD (entity declarations)"
        raise InnspillError(
            "E109", f"the XML declares {what}; refused for safety (entity expansion, external files)",
            path=path, line=1,
            hint="WordPress and Disqus exports have no <!DOCTYPE>; remove it if you trust the file")


def _clean(msg: str) -> str:
    # lxml repeats the place at the end: "..., line 3, column 7 (file.xml, line 3)"
    for sep in (", line ", " (line "):
        if sep in msg:
            msg = msg.split(sep, 1)[0]
    return msg.strip()


def release(el) -> None:
    """Free an element that has been read, and the siblings read before it."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def broken_error(b: Broken, path: str, read: int, what: str = "comments") -> InnspillError:
    return InnspillError(
        "E110", f"the XML breaks at line {b.line}, column {b.column}: {b.message} "
                f"({read} {what} were read before it)",
        path=path, line=b.line or None,
        hint="the file may be cut off; repair it, or give --partial to analyse what could be read")


def broken_warning(b: Broken, path: str, read: int, what: str = "comments") -> dict:
    return warning("W105", f"the XML breaks at line {b.line}, column {b.column}: {b.message}; "
                           f"{read} {what} read before it are analysed (--partial)", f"{path}, line {b.line}")


def stream_into(reader, path: str, opts, after_break=None) -> None:
    """Feed every parse event of ``path`` to ``reader.feed``; a break in the file is an error,
    or with ``--partial`` a warning on ``reader.warnings`` (then ``after_break`` tidies up)."""
    encoding = None if opts.encoding == "auto" else opts.encoding
    try:
        for event, el in events(path, encoding, reader.facts):
            reader.feed(event, el)
    except Broken as b:
        if not opts.partial:
            raise broken_error(b, path, reader.read) from None
        reader.warnings.append(broken_warning(b, path, reader.read))
        if after_break:
            after_break()
