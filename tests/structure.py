"""Our own fast check of a tagged PDF's structure, independent of veraPDF.

It reads the file with pypdf and reports, as plain sentences:
- an MCID in the page content that no structure element owns, or that two own;
- an MCID in the tree (or the parent tree) that the page content does not have;
- a painting operator outside both tagged content and artifacts;
- an artifact inside tagged content, or the reverse;
- heading levels that skip, a figure without alt text;
- a missing StructTreeRoot, MarkInfo, Lang, DisplayDocTitle or PDF/UA metadata.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject, NameObject

PAINT = {"Tj", "TJ", "'", '"', "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "Do", "EI"}


@dataclass
class Elem:
    role: str
    alt: str | None
    mcids: list[tuple[int, int]] = field(default_factory=list)  # (page index, mcid)
    kids: list[Elem] = field(default_factory=list)
    objrs: int = 0


@dataclass
class Report:
    problems: list[str]
    root: Elem | None
    text: dict[tuple[int, int], str]  # (page, mcid) -> the text shown inside it
    artifact_text: list[str]

    def walk(self) -> list[Elem]:
        out: list[Elem] = []

        def rec(e: Elem) -> None:
            out.append(e)
            for k in e.kids:
                rec(k)

        if self.root is not None:
            rec(self.root)
        return out

    def roles(self) -> list[str]:
        return [e.role for e in self.walk()]

    def text_of(self, elem: Elem) -> str:
        return "".join(self.text.get(m, "") for m in elem.mcids)


def _resolve(obj):  # noqa: ANN001, ANN202
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def check(path: Path) -> Report:
    reader = PdfReader(str(path))
    problems: list[str] = []
    cat = reader.trailer["/Root"]
    page_index = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}

    if not cat.get("/MarkInfo", {}).get("/Marked"):
        problems.append("catalog: MarkInfo Marked is not true")
    if not str(cat.get("/Lang", "")).strip():
        problems.append("catalog: no Lang")
    if not cat.get("/ViewerPreferences", {}).get("/DisplayDocTitle"):
        problems.append("catalog: DisplayDocTitle is not true")
    meta = cat.get("/Metadata")
    xmp = _resolve(meta).get_data().decode("utf-8") if meta is not None else ""
    if not re.search(r"<pdfuaid:part>1</pdfuaid:part>", xmp):
        problems.append("metadata: no pdfuaid:part 1")
    if "<dc:title>" not in xmp:
        problems.append("metadata: no dc:title")

    # -- the tree
    owners: Counter[tuple[int, int]] = Counter()
    root_elem: Elem | None = None
    tree_root = cat.get("/StructTreeRoot")
    if tree_root is None:
        problems.append("catalog: no StructTreeRoot")
    else:
        tree_root = _resolve(tree_root)

        def build(d: DictionaryObject, inherited_pg: int | None) -> Elem:
            role = str(d["/S"])[1:]
            pg = page_index.get(d.raw_get("/Pg").idnum) if "/Pg" in d else inherited_pg
            alt = str(d["/Alt"]) if "/Alt" in d else None
            e = Elem(role, alt)
            kids = d.get("/K")
            if kids is None:
                kids = []
            elif not isinstance(kids, list):
                kids = [kids]
            for k in kids:
                k = _resolve(k)
                if isinstance(k, int):
                    e.mcids.append((pg, int(k)))
                    owners[(pg, int(k))] += 1
                elif k.get("/Type") == "/MCR":
                    m = (page_index[k.raw_get("/Pg").idnum], int(k["/MCID"]))
                    e.mcids.append(m)
                    owners[m] += 1
                elif k.get("/Type") == "/OBJR":
                    e.objrs += 1
                else:
                    e.kids.append(build(k, pg))
            return e

        root_elem = build(_resolve(tree_root["/K"]), None)
        # The parent tree must name the same owner as the tree.
        nums = _resolve(tree_root["/ParentTree"])["/Nums"]
        parent_of: dict[tuple[int, int], str] = {}
        for key, value in zip(nums[::2], nums[1::2], strict=True):
            value = _resolve(value)
            if isinstance(value, list):
                for mcid, ref in enumerate(value):
                    parent_of[(int(key), mcid)] = str(_resolve(ref)["/S"])[1:]
        for i, page in enumerate(reader.pages):
            if "/StructParents" not in page:
                problems.append(f"page {i + 1}: no StructParents")
            if page.get("/Tabs") != "/S":
                problems.append(f"page {i + 1}: Tabs is not /S")

    # -- the content
    seen: Counter[tuple[int, int]] = Counter()
    text: dict[tuple[int, int], str] = {}
    artifact_text: list[str] = []
    for i, page in enumerate(reader.pages):
        content = ContentStream(page.get_contents(), reader)
        stack: list[tuple[str, int | None]] = []  # ("tag"|"artifact"|"other", mcid)
        for operands, op in content.operations:
            op = op.decode("latin-1") if isinstance(op, bytes) else op
            if op in ("BDC", "BMC"):
                name = str(operands[0])
                props = operands[1] if op == "BDC" else None
                if name == "/Artifact":
                    if any(k == "tag" for k, _ in stack):
                        problems.append(f"page {i + 1}: an artifact inside tagged content")
                    stack.append(("artifact", None))
                elif isinstance(props, dict) and "/MCID" in props:
                    if any(k in ("tag", "artifact") for k, _ in stack):
                        problems.append(f"page {i + 1}: tagged content nested in other content")
                    m = (i, int(props["/MCID"]))
                    seen[m] += 1
                    stack.append(("tag", m[1]))
                else:
                    stack.append(("other", None))
            elif op == "EMC":
                if not stack:
                    problems.append(f"page {i + 1}: EMC without BDC")
                else:
                    stack.pop()
            elif op in PAINT:
                inside = [s for s in stack if s[0] in ("tag", "artifact")]
                if not inside:
                    problems.append(f"page {i + 1}: '{op}' outside tagged content and artifacts")
                elif op in ("Tj", "TJ", "'", '"'):
                    shown = _shown(operands)
                    if inside[-1][0] == "tag":
                        key = (i, inside[-1][1])
                        text[key] = text.get(key, "") + shown
                    else:
                        artifact_text.append(shown)
        if stack:
            problems.append(f"page {i + 1}: marked content left open")

    if root_elem is not None:
        for m, n in owners.items():
            if n > 1:
                problems.append(f"page {m[0] + 1} MCID {m[1]}: owned by {n} elements")
            if m not in seen:
                problems.append(f"page {m[0] + 1} MCID {m[1]}: in the tree, not in the content")
            if (m[0], m[1]) not in parent_of:
                problems.append(f"page {m[0] + 1} MCID {m[1]}: not in the parent tree")
        for m in seen:
            if m not in owners:
                problems.append(f"page {m[0] + 1} MCID {m[1]}: no structure element owns it")
            if seen[m] > 1:
                problems.append(f"page {m[0] + 1} MCID {m[1]}: used twice in the content")
        report = Report(problems, root_elem, text, artifact_text)
        last = 0
        for e in report.walk():
            if re.fullmatch(r"H[1-6]", e.role):
                level = int(e.role[1])
                if level > last + 1:
                    problems.append(f"heading {e.role} after H{last}: levels skip")
                last = level
            if e.role == "Figure" and not (e.alt or "").strip():
                problems.append("a Figure without alt text")
        for e in report.walk():
            for m in e.mcids:
                if parent_of.get(m) not in (None, e.role):
                    problems.append(f"page {m[0] + 1} MCID {m[1]}: the parent tree names "
                                    f"{parent_of[m]}, the tree {e.role}")
        return report
    return Report(problems, None, text, artifact_text)


def _shown(operands: list) -> str:  # noqa: ANN001 - pypdf objects
    out = []
    for o in operands:
        if isinstance(o, list):
            out += [_bytes(x) for x in o if not isinstance(x, (int, float))]
        elif not isinstance(o, (int, float)):
            out.append(_bytes(o))
    return "".join(out)


def _bytes(o) -> str:  # noqa: ANN001
    # Our fonts' first subset keeps ASCII at its own codes, so ASCII text reads as is.
    raw = o.original_bytes if hasattr(o, "original_bytes") else bytes(str(o), "latin-1")
    return raw.decode("latin-1")


__all__ = ["check", "Report", "Elem", "NameObject"]
