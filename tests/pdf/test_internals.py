"""Canaries: every reportlab internal that handouts.pdf.internals touches, on the
installed reportlab. An upgrade that moves one fails here, not in a patient's PDF."""

from __future__ import annotations

import ast
import inspect
import io
from pathlib import Path

from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import ListFlowable, ListItem, Paragraph, Table
from reportlab.platypus.tableofcontents import TableOfContents

from handouts.pdf import internals
from handouts.pdf.structure import Node, TaggedCanvas

PDF = Path(internals.__file__).parent


def test_list_internals():
    lst = ListFlowable([ListItem(Paragraph("a", ParagraphStyle("x")))], bulletType="bullet",
                       start="-")
    (item,) = internals.list_items(lst)
    assert internals.item_bullet(item) is not None
    assert isinstance(internals.item_body(item), Paragraph)
    internals.set_item_bullet(item, "x")
    assert internals.item_bullet(item) == "x"


def test_contents_entries_after_a_layout_pass():
    toc = TableOfContents()
    assert internals.toc_entries(toc) == [(0, "", 0, None)]
    toc.notify("TOCEntry", (0, "Upper trapezius", 3, "s1"))
    toc.beforeBuild()  # a new layout pass: the entries found become the last entries
    assert internals.toc_entries(toc) == [(0, "Upper trapezius", 3, "s1")]


def test_paragraph_keeps_its_lines_until_split():
    para = Paragraph("Some words to break.", ParagraphStyle("x"))
    assert not internals.has_lines(para)
    para.wrap(100, 100)
    assert internals.has_lines(para)
    assert internals.line_count(para) == 1
    para.wrap(40, 100)
    assert internals.line_count(para) > 1


def test_tables_measure_once_until_told_and_split_pieces_carry_sizes():
    rows = [[Paragraph("word " * 30, ParagraphStyle("x"))] for _ in range(4)]
    table = Table(rows, colWidths=["100%"])
    assert table.wrap(500, 1000)[0] == 500
    assert table.wrap(200, 1000)[0] == 500  # measured once: still page-wide
    internals.forget_table_width(table)
    assert table.wrap(200, 1000)[0] == 200
    tall = internals.table_row_heights(table)
    assert len(tall) == 4 and all(h > 0 for h in tall)
    first, rest = table.split(200, sum(tall[:2]) + 1)
    assert (internals.table_row_count(first), internals.table_row_count(rest)) == (2, 2)
    assert rest.wrap(500, 1000)[0] == 200  # reportlab's piece keeps the measured width
    assert internals.first_cell(rest) is rows[2][0]
    internals.set_first_cell(rest, Paragraph("again", ParagraphStyle("x")))
    assert internals.first_cell(rest).text == "again"
    _, again = table.split(200, sum(tall[:2]) + 1)  # the table's own row is untouched
    assert internals.first_cell(again) is rows[2][0]
    internals.reset_table_sizes(rest, ["100%"], keep_heights=False)
    internals.forget_table_width(rest)
    width, height = rest.wrap(500, 1000)
    assert width == 500 and height < sum(tall[2:])  # wider: rows measured again, shorter


def test_a_cell_split_inside_its_row_holds_no_more_than_its_row():
    style = ParagraphStyle("x", fontSize=18, leading=25)
    words = " ".join(["Your arm or hand is swollen, warm and red."] * 12)
    padded = [("LEFTPADDING", (0, 0), (-1, -1), 30), ("RIGHTPADDING", (0, 0), (-1, -1), 30)]
    from handouts.pdf.keeping import Stack

    for cls in (Table, internals.CellSplitInsidePadding):
        # A block that splits by laying out its parts at the width it is given.
        cell = Stack([Paragraph(words, style) for _ in range(3)])
        table = cls([[cell]], colWidths=[300], splitInRow=1, style=padded)
        table.wrap(300, 10_000)
        first, _rest = table.split(300, 400)
        row = internals.table_row_heights(first)[0]
        piece = first._cellvalues[0][0][0]
        drawn = piece.wrap(300 - 60, 10_000)[1]  # as the piece draws it: inside the padding
        if cls is Table:
            assert drawn > row  # reportlab's own split: the text runs out of its row
        else:
            assert drawn <= row


def test_a_frame_says_how_far_down_it_is_filled():
    from reportlab.platypus import Frame

    frame = Frame(0, 100, 200, 300, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0)
    c = Canvas(io.BytesIO())
    assert internals.frame_cursor(frame) == 400
    assert internals.frame_at_top(frame) and internals.frame_free(frame) == 300
    assert internals.frame_available_width(frame) == 200
    frame.add(Paragraph("One line.", ParagraphStyle("x", leading=20)), c)
    assert internals.frame_cursor(frame) == 380
    assert not internals.frame_at_top(frame) and internals.frame_free(frame) == 280
    assert internals.frame_room(frame) == 300  # however much of it is filled
    assert internals.current_frame(c) is None and internals.is_last_frame(c)
    assert internals.doc_template(c) is None


def test_the_frame_being_filled_and_whether_it_is_the_last_of_its_page():
    from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

    seen = []

    class Probe(Flowable):
        def wrap(self, aw, ah):
            return aw, 10

        def draw(self):
            seen.append((internals.current_frame(self.canv).id,
                         internals.is_last_frame(self.canv)))

    doc = BaseDocTemplate(io.BytesIO())
    frames = [Frame(72, 72, 200, 600, id="left"), Frame(300, 72, 200, 600, id="right")]
    doc.addPageTemplates([PageTemplate(frames=frames)])
    from reportlab.platypus import FrameBreak

    doc.build([Probe(), FrameBreak(), Probe()])
    assert seen == [("left", False), ("right", True)]


def test_annotations_take_a_struct_parent():
    link = pdfdoc.LinkAnnotation("r", "", "d")
    assert "StructParent" not in type(link).permitted
    internals.allow_struct_parent(link)
    assert "StructParent" in type(link).permitted
    internals.set_annotation(link, 7)
    assert link.otherkw["StructParent"] == 7 and link.Contents == "Link"
    c = Canvas(io.BytesIO())
    assert internals.next_annotation_name(c) == "NUMBER1"


def test_held_pages_and_page_keys():
    c = Canvas(io.BytesIO(), pagesize=(300, 400))
    assert internals.page_size(c) == (300, 400)
    c.drawString(10, 10, "one")
    held = internals.hold_page(c)
    assert internals.document(c).pageCounter == 2
    internals.rewind_page_counter(c, 1)
    internals.restore_page(c, held)
    c.showPage()
    (page,) = internals.pages(c)
    internals.set_page_keys(page, 0)
    assert "StructParents" in page.__NoDefault__


def test_spaced_text_keeps_the_space_at_a_line_wrap():
    assert "_textOut" in vars(type(Canvas(io.BytesIO()).beginText()))
    t = internals.SpacedText(Canvas(io.BytesIO()))
    t._textOut("at", TStar=1)
    assert "(at ) Tj" in t.getCode()


def test_binary_streams_are_put_back():
    from reportlab import rl_config

    before = rl_config.useA85
    with internals.binary_streams():
        assert rl_config.useA85 == 0
    assert rl_config.useA85 == before


def test_a_document_through_the_packed_writer():
    """A whole tagged document, its objects named, numbered and packed, read back by pypdf."""
    buf = io.BytesIO()
    tc = TaggedCanvas(buf)
    doc = internals.document(tc)
    name = internals.add_object(doc, pdfdoc.PDFString("x"))
    assert internals.reference_number(doc, name) > 0
    assert internals.object_named(doc, name) is not None
    assert internals.catalog(doc) is not None and not internals.is_encrypted(doc)
    with tc.tagger.content(Node("P")):
        tc.drawString(72, 720, "Hello")
        tc.linkURL("https://example.org", (72, 700, 200, 720))
    tc.showPage()
    tc.write_structure("T", "en")
    tc.save()
    data = buf.getvalue()
    assert data.startswith(b"%PDF-1.7") and b"/ObjStm" in data
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[0]["/StructParents"] == 0 and reader.trailer["/Root"]["/StructTreeRoot"]
    assert reader.pages[0]["/Tabs"] == "/S"
    assert "Hello" in reader.pages[0].extract_text()


def test_every_internal_has_a_canary():
    names = [n for n, f in vars(internals).items()
             if (inspect.isfunction(f) or inspect.isclass(f))
             and f.__module__ == internals.__name__]
    tested = Path(__file__).read_text(encoding="utf-8")
    # formatted_objects, file_id and friends run inside the packed writer above.
    through_writer = {"replace_writer", "formatted_objects", "file_id", "add_to_file",
                      "file_offset", "finish_file", "annotation_name"}
    assert [n for n in names if f"internals.{n}" not in tested and n not in through_writer] == []


def test_no_private_reportlab_attribute_outside_internals():
    """A private attribute (`._name`) of a reportlab object is named only in internals.py."""
    private = {"_startPage", "pageCounter", "_pagesize", "blPara", "_doc", "idToObject",
               "numberToId", "_lastEntries", "_content", "_bullet", "_flowable", "__NoDefault__",
               "_annotationCount", "__accum__", "idToObjectNumberAndVersion", "_cellvalues",
               "_doctemplate", "_rowHeights"}
    for path in PDF.glob("*.py"):
        if path.name == "internals.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        used |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                 and isinstance(n.value, str)}
        assert not used & private, (path.name, used & private)
