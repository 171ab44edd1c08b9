"""Tests for labelwise.io.arff: header, label attributes, dense and sparse rows, errors.

Small files are written by hand into tmp_path. The real Mulan data sets in
../shared/data are compared with scipy.io.arff (dense) and a plain reference
parse (sparse); those tests skip when the folder is absent.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import labelwise
from labelwise.io import arff as arff_module
from labelwise.io.arff import ArffBlock, read_arff

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"

HEADER = """\
@relation tiny
@attribute x numeric
@attribute A {0,1}
@attribute B {0,1}
@data
"""


def write(tmp_path: Path, text: str, name: str = "t.arff", newline: str = "\n") -> Path:
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline=newline) as f:
        f.write(text)
    return path


def dense(values) -> np.ndarray:
    return np.asarray(values, dtype=np.uint8)


def raises(match: str):
    """pytest.raises for labelwise.InputError, matching the message literally."""
    return pytest.raises(labelwise.InputError, match=re.escape(match))


def read(path, **kw):
    return read_arff(path, **kw).read_all()


# --------------------------------------------------------------------------
# dense rows
# --------------------------------------------------------------------------


class TestDense:
    def test_labels_are_the_binary_attributes(self, tmp_path):
        path = write(tmp_path, HEADER + "0.5,1,0\n-2,0,0\n3e4,1,1\n")
        f = read_arff(path)
        assert f.labels == ("A", "B")
        assert f.label_indices == (1, 2)
        assert f.label_source == "the attributes declared {0,1}"
        assert not f.sparse
        assert f.relation == "tiny"
        assert [a.name for a in f.attributes] == ["x", "A", "B"]
        values = f.read_all()
        assert values.dtype == np.uint8
        np.testing.assert_array_equal(values, [[1, 0], [0, 0], [1, 1]])

    def test_header_forms(self, tmp_path):
        text = (
            "% a comment before the header\n"
            "@RELATION 'the data'\n"
            "\n"
            "@ATTRIBUTE 'quiet still' {0,1}\n"
            '@attribute "say \\"hi\\"" { 1 , 0 }\n'
            "@attribute 'it\\'s' REAL\n"
            "@attribute n INTEGER % a trailing comment\n"
            "@attribute s string\n"
            '@attribute d date "yyyy-MM-dd HH:mm:ss"\n'
            "@attribute c {red,'dark blue',green}\n"
            "@attribute q {'0','1'}\n"
            "@attribute w{0,1}\n"
            "@Data\n"
            "1,0,2.5,3,'a, b',\"2024-01-01 10:00:00\",'dark blue',1,0\n"
        )
        f = read_arff(write(tmp_path, text))
        assert f.relation == "the data"
        names = [a.name for a in f.attributes]
        assert names == ["quiet still", 'say "hi"', "it's", "n", "s", "d", "c", "q", "w"]
        assert [a.type for a in f.attributes] == [
            "nominal", "nominal", "real", "integer", "string", "date", "nominal", "nominal",
            "nominal"]
        assert f.attributes[6].values == ("red", "dark blue", "green")
        assert f.labels == ("quiet still", 'say "hi"', "q", "w")  # {1,0} and {'0','1'} too
        np.testing.assert_array_equal(f.read_all(), [[1, 0, 1, 0]])

    def test_data_forms(self, tmp_path):
        text = HEADER + (
            "% a comment\n"
            "\n"
            "?,1,0\n"                      # a missing feature value is fine
            "1, 0 , 1 \n"                  # blanks around values
            "1,'1',\"0\"\n"                # quoted label values
            "1,1.0,0.0 % a comment\n"      # numbers equal to 0 or 1
            "   \n"
            "'x, y',0,1\n"                 # a quoted feature value holding a comma
        )
        f = read_arff(write(tmp_path, text))
        np.testing.assert_array_equal(
            f.read_all(), [[1, 0], [0, 1], [1, 0], [1, 0], [0, 1]])
        assert [f.line(r) for r in range(5)] == [8, 9, 10, 11, 13]

    def test_crlf_line_endings(self, tmp_path):
        path = write(tmp_path, HEADER + "0,1,0\n1,0,1\n", newline="\r\n")
        np.testing.assert_array_equal(read(path), [[1, 0], [0, 1]])

    def test_byte_order_mark(self, tmp_path):
        path = tmp_path / "bom.arff"
        path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "0,1,1\n").encode())
        np.testing.assert_array_equal(read(path), [[1, 1]])

    def test_numeric_label_attributes(self, tmp_path):
        text = "@relation r\n@attribute x numeric\n@attribute y numeric\n@data\n0,1\n1,0\n"
        f = read_arff(write(tmp_path, text), label_columns=["y", "x"])
        np.testing.assert_array_equal(f.read_all(), [[1, 0], [0, 1]])

    def test_one_label(self, tmp_path):
        text = "@relation r\n@attribute x numeric\n@attribute y {0,1}\n@data\n5,1\n6,0\n"
        np.testing.assert_array_equal(read(write(tmp_path, text)), [[1], [0]])


# --------------------------------------------------------------------------
# sparse rows
# --------------------------------------------------------------------------


class TestSparse:
    def test_absent_entries_are_zero(self, tmp_path):
        text = HEADER + (
            "{0 0.5,1 1}\n"
            "{}\n"
            "{2 1,0 7}\n"        # indices in any order
            "{1 0,2 1}\n"        # an explicit 0
            "{ 0\t3 , 1 1 , 2 1 }\n"
            "{1 1.0,2 0.0}\n"    # numbers equal to 0 or 1
        )
        f = read_arff(write(tmp_path, text))
        assert f.sparse
        m = f.read_all()
        assert sp.isspmatrix_csr(m) and m.dtype == np.uint8
        assert m.has_canonical_format and np.all(m.data == 1)
        np.testing.assert_array_equal(m.toarray(), [[1, 0], [0, 0], [0, 1], [0, 1], [1, 1], [1, 0]])

    def test_label_declared_one_zero_is_one_when_left_out(self, tmp_path):
        # In sparse ARFF a left-out nominal value is the first declared value.
        text = "@relation r\n@attribute x numeric\n@attribute A {1,0}\n@attribute B {0,1}\n" \
               "@data\n{0 2}\n{1 0,2 1}\n{1 1}\n"
        m = read(write(tmp_path, text))
        np.testing.assert_array_equal(m.toarray(), [[1, 0], [0, 1], [1, 0]])

    def test_quoted_values_take_the_slow_path(self, tmp_path):
        text = "@relation r\n@attribute s string\n@attribute A {0,1}\n@attribute B {0,1}\n" \
               "@data\n{0 'a, {b}', 2 1}\n{0 \"x\",1 '1'} % comment\n"
        np.testing.assert_array_equal(read(write(tmp_path, text)).toarray(), [[0, 1], [1, 0]])

    def test_mixed_rows_in_a_sparse_file(self, tmp_path):
        text = HEADER + "{1 1}\n0,0,1\n{}\n2,1,1\n"
        m = read(write(tmp_path, text))
        assert sp.isspmatrix_csr(m)
        np.testing.assert_array_equal(m.toarray(), [[1, 0], [0, 1], [0, 0], [1, 1]])

    def test_mixed_rows_in_a_dense_file(self, tmp_path):
        text = "@relation r\n@attribute x numeric\n@attribute A {1,0}\n@attribute B {0,1}\n" \
               "@data\n0,0,1\n{2 1}\n{1 0}\n1,1,1\n"
        v = read(write(tmp_path, text))
        assert isinstance(v, np.ndarray)
        np.testing.assert_array_equal(v, [[0, 1], [1, 1], [0, 0], [1, 1]])


# --------------------------------------------------------------------------
# which attributes are labels
# --------------------------------------------------------------------------

MULAN_XML = """<?xml version="1.0" encoding="utf-8"?>
<labels xmlns="http://mulan.sourceforge.net/labels">
{}
</labels>
"""


def xml(*names, namespace=True) -> str:
    body = "\n".join(f'<label name="{n}"></label>' for n in names)
    text = MULAN_XML.format(body)
    return text if namespace else text.replace(' xmlns="http://mulan.sourceforge.net/labels"', "")


FOUR = """\
@relation 'four: -C 2'
@attribute p {0,1}
@attribute q {0,1}
@attribute r numeric
@attribute s {0,1}
@data
1,0,5,1
0,1,6,0
"""


class TestLabelSources:
    def test_xml_beside_the_file(self, tmp_path):
        path = write(tmp_path, FOUR, "four.arff")
        write(tmp_path, xml("s", "r"), "four.xml")
        f = read_arff(path)
        assert f.labels == ("r", "s")  # file order, as in Mulan
        assert f.label_source == str(tmp_path / "four.xml")
        with raises(f"{path}:7, label 'r': 5 is not 0 or 1."):
            f.read_all()

    def test_xml_values_of_a_numeric_label(self, tmp_path):
        path = write(tmp_path, FOUR.replace("1,0,5,1", "1,0,1,1").replace("0,1,6,0", "0,1,0,0"),
                     "four.arff")
        write(tmp_path, xml("s", "r"), "four.xml")
        np.testing.assert_array_equal(read(path), [[1, 1], [0, 0]])

    @pytest.mark.parametrize("stem", ["four-test", "four_train", "four.valid", "four-TRAIN"])
    def test_xml_of_the_data_set_for_a_split(self, tmp_path, stem):
        path = write(tmp_path, FOUR, f"{stem}.arff")
        write(tmp_path, xml("p", "s", namespace=False), "four.xml")
        f = read_arff(path)
        assert f.labels == ("p", "s") and f.label_source == str(tmp_path / "four.xml")

    def test_xml_of_the_same_stem_comes_first(self, tmp_path):
        path = write(tmp_path, FOUR, "four-test.arff")
        write(tmp_path, xml("p"), "four.xml")
        write(tmp_path, xml("q"), "four-test.xml")
        assert read_arff(path).labels == ("q",)

    def test_xml_hierarchy_and_other_namespaces(self, tmp_path):
        path = write(tmp_path, FOUR, "four.arff")
        write(tmp_path, '<m:labels xmlns:m="urn:x"><m:label name="q"><m:label name="p"/>'
                        '</m:label><m:label name="s"/></m:labels>', "four.xml")
        assert read_arff(path).labels == ("p", "q", "s")

    @pytest.mark.parametrize("name", ["four.arff", "four.ARFF", "four.arff.bz2", "four.dat"])
    def test_xml_stem_of_other_names(self, tmp_path, name):
        path = write(tmp_path, FOUR, name)
        write(tmp_path, xml("q"), "four.xml")
        f = read_arff(path, opener=lambda: open(path, encoding="utf-8"))
        assert f.labels == ("q",)

    def test_labels_xml_given(self, tmp_path):
        path = write(tmp_path, FOUR, "four.arff")
        other = write(tmp_path, xml("q"), "elsewhere.xml")
        write(tmp_path, xml("p"), "four.xml")
        f = read_arff(path, labels_xml=other)
        assert f.labels == ("q",) and f.label_source == str(other)

    def test_label_columns_win_and_keep_their_order(self, tmp_path):
        path = write(tmp_path, FOUR, "four.arff")
        write(tmp_path, xml("p"), "four.xml")
        f = read_arff(path, label_columns=["s", "p"])
        assert f.labels == ("s", "p") and f.label_source == "label_columns"
        np.testing.assert_array_equal(f.read_all(), [[1, 1], [0, 0]])
        assert read_arff(path, label_columns="q").labels == ("q",)

    def test_meka_c_first_attributes(self, tmp_path):
        f = read_arff(write(tmp_path, FOUR))
        assert f.labels == ("p", "q") and f.label_source == "MEKA's -C 2 in @relation"
        np.testing.assert_array_equal(f.read_all(), [[1, 0], [0, 1]])

    def test_meka_c_negative_takes_the_last_attributes(self, tmp_path):
        text = FOUR.replace("-C 2", "-C -1 -split 66")
        f = read_arff(write(tmp_path, text))
        assert f.labels == ("s",) and f.label_source == "MEKA's -C -1 in @relation"

    def test_meka_c_beats_binary_attributes(self, tmp_path):
        assert read_arff(write(tmp_path, FOUR)).labels == ("p", "q")
        no_c = FOUR.replace("'four: -C 2'", "four")
        assert read_arff(write(tmp_path, no_c)).labels == ("p", "q", "s")

    def test_c_without_meka_colon_is_a_name(self, tmp_path):
        text = FOUR.replace("'four: -C 2'", "'four -C 2'")
        assert read_arff(write(tmp_path, text)).labels == ("p", "q", "s")


# --------------------------------------------------------------------------
# blocks and lines
# --------------------------------------------------------------------------


class TestBlocks:
    def test_blocks_cover_the_rows_in_order(self, tmp_path):
        rows = [f"{i},{i % 2},{(i // 2) % 2}" for i in range(10)]
        text = HEADER + "\n".join(rows[:4]) + "\n% note\n\n" + "\n".join(rows[4:]) + "\n"
        f = read_arff(write(tmp_path, text), block_rows=3)
        blocks = list(f.blocks())
        assert all(isinstance(b, ArffBlock) for b in blocks)
        assert [b.start for b in blocks] == [0, 3, 6, 9]
        assert [b.n_rows for b in blocks] == [3, 3, 3, 1]
        expected = [[i % 2, (i // 2) % 2] for i in range(10)]
        np.testing.assert_array_equal(np.concatenate([b.values for b in blocks]), expected)
        assert [b.start for b in f.blocks(block_rows=4)] == [0, 4, 8]
        assert [f.line(r) for r in (0, 3, 4, 9)] == [6, 9, 12, 17]
        assert f.where(4, "B") == f"{f.path}:12, label 'B'"
        assert f.where(0) == f"{f.path}:6"

    def test_sparse_blocks(self, tmp_path):
        text = HEADER + "{1 1}\n{}\n{2 1}\n{1 1,2 1}\n{0 3}\n"
        blocks = list(read_arff(write(tmp_path, text)).blocks(block_rows=2))
        assert [b.start for b in blocks] == [0, 2, 4]
        assert all(sp.isspmatrix_csr(b.values) for b in blocks)
        whole = read_arff(write(tmp_path, text), block_rows=2).read_all()
        assert sp.isspmatrix_csr(whole) and whole.dtype == np.uint8 and whole.shape == (5, 2)
        np.testing.assert_array_equal(sp.vstack([b.values for b in blocks]).toarray(),
                                      [[1, 0], [0, 0], [0, 1], [1, 1], [0, 0]])

    @pytest.mark.parametrize("sparse", [False, True])
    def test_small_conversion_chunks_give_the_same_values(self, tmp_path, monkeypatch, sparse):
        rng = np.random.default_rng(0)
        Y = rng.integers(0, 2, size=(50, 2))
        if sparse:
            rows = ["{" + ",".join([f"0 {r}"] + [f"{j + 1} 1" for j in np.flatnonzero(y)]) + "}"
                    for r, y in enumerate(Y)]
        else:
            rows = [f"{r},{y[0]},{y[1]}" for r, y in enumerate(Y)]
        path = write(tmp_path, HEADER + "\n".join(rows) + "\n")
        monkeypatch.setattr(arff_module, "_CHUNK", 5)
        out = read_arff(path, block_rows=16).read_all()
        np.testing.assert_array_equal(out.toarray() if sparse else out, Y)

    def test_errors_name_the_line_in_later_blocks(self, tmp_path, monkeypatch):
        rows = ["0,1,0"] * 7 + ["% note", "0,1,2"]
        path = write(tmp_path, HEADER + "\n".join(rows) + "\n")
        monkeypatch.setattr(arff_module, "_CHUNK", 4)
        with raises(f"{path}:14, label 'B': 2 is not 0 or 1."):
            list(read_arff(path, block_rows=3).blocks())

    def test_the_first_error_is_reported(self, tmp_path):
        path = write(tmp_path, HEADER + "0,1,0\n0,7,0\n0,1\n")
        with raises(f"{path}:7, label 'A': 7 is not 0 or 1."):
            read(path)
        path = write(tmp_path, HEADER + "{1 1}\n{2 5}\n{9 1}\n")
        with raises(f"{path}:7, label 'B': 5 is not 0 or 1."):
            read(path)

    def test_repr(self, tmp_path):
        f = read_arff(write(tmp_path, HEADER + "0,1,0\n"))
        assert repr(f) == (f"ArffFile({str(f.path)!r}, 3 attributes, 2 labels from the "
                           "attributes declared {0,1}, dense)")


# --------------------------------------------------------------------------
# errors: every message
# --------------------------------------------------------------------------


class TestValueErrors:
    def test_label_value_not_0_or_1(self, tmp_path):
        path = write(tmp_path, HEADER + "0,1,0\n0,1,2\n")
        with raises(f"{path}:7, label 'B': 2 is not 0 or 1."):
            read(path)

    @pytest.mark.parametrize("row, shown", [
        ("0,yes,0", "yes"), ("0,'2',0", "'2'"), ("0,,0", "an empty value"), ("0,0.5,0", "0.5"),
        ("0,'1' '0',0", "'1 0'")])
    def test_label_value_forms(self, tmp_path, row, shown):
        path = write(tmp_path, HEADER + row + "\n")
        with raises(f"{path}:6, label 'A': {shown} is not 0 or 1."):
            read(path)

    def test_sparse_label_value_not_0_or_1(self, tmp_path):
        path = write(tmp_path, HEADER + "{1 1}\n{0 4,2 3}\n")
        with raises(f"{path}:7, label 'B': 3 is not 0 or 1."):
            read(path)
        path = write(tmp_path, HEADER + "{2 'x'}\n")
        with raises(f"{path}:6, label 'B': 'x' is not 0 or 1."):
            read(path)

    @pytest.mark.parametrize("row", ["0,?,1", "0, ? ,1", "{1 ?}", "{0 'q',1 ?}", "0,?,1 % c"])
    def test_missing_label_value(self, tmp_path, row):
        path = write(tmp_path, HEADER + row + "\n")
        with raises(f"{path}:6, label 'A': the value is missing ('?'); every label needs 0 or 1."):
            read(path)

    def test_quoted_question_mark_is_a_value_not_missing(self, tmp_path):
        path = write(tmp_path, HEADER + "0,'?',1\n")
        with raises(f"{path}:6, label 'A': '?' is not 0 or 1."):
            read(path)

    @pytest.mark.parametrize("row, found", [
        ("0,1", 2), ("0,1,0,1", 4), ("0,1,0,", 4), ("'a,b',1", 2), ("0,1 % 0,1", 2)])
    def test_wrong_number_of_values(self, tmp_path, row, found):
        path = write(tmp_path, HEADER + "0,1,1\n" + row + "\n")
        with raises(f"{path}:7: expected 3 values (one per @attribute), found {found}."):
            read(path)

    @pytest.mark.parametrize("row, index", [("{3 1}", 3), ("{0 1,1 1,17 0}", 17),
                                            ("{-1 1}", -1), ("{3 'a'}", 3)])
    def test_sparse_index_out_of_range(self, tmp_path, row, index):
        path = write(tmp_path, HEADER + row + "\n")
        with raises(f"{path}:6: attribute index {index} is out of range; the file declares 3 "
                    "attributes (0-based indices 0 to 2)."):
            read(path)

    @pytest.mark.parametrize("row, token", [("{x 1}", "x"), ("{1.0 1}", "1.0"),
                                            ("{'1' 1, 2 'a'}", "1")])
    def test_sparse_index_not_an_integer(self, tmp_path, row, token):
        path = write(tmp_path, HEADER + row + "\n")
        message = (f"{path}:6: {token!r} is not an attribute index; a sparse row holds "
                   "'index value' pairs with 0-based indices.")
        if row.startswith("{'"):  # a quoted index is not an 'index value' pair
            message = (f"{path}:6: expected 'index value' pairs separated by commas inside "
                       "{...}, found '1 1'.")
        with raises(message):
            read(path)

    @pytest.mark.parametrize("row, found", [("{1}", "1"), ("{1 1 1}", "1 1 1"), ("{1 1,}", ""),
                                            ("{,}", "")])
    def test_sparse_entry_not_a_pair(self, tmp_path, row, found):
        path = write(tmp_path, HEADER + row + "\n")
        with raises(f"{path}:6: expected 'index value' pairs separated by commas inside {{...}}, "
                    f"found {found!r}."):
            read(path)

    def test_sparse_row_not_closed(self, tmp_path):
        path = write(tmp_path, HEADER + "{1 1, 2 1\n")
        with raises(f"{path}:6: expected '}}' closing the sparse row, found '{{1 1, 2 1'."):
            read(path)

    def test_sparse_label_given_twice(self, tmp_path):
        path = write(tmp_path, HEADER + "{1 1,2 1,1 0}\n")
        with raises(f"{path}:6, label 'A': the row gives this label twice (index 1); each "
                    "index may appear once per row."):
            read(path)

    @pytest.mark.parametrize("row", ["0,1,0,{2}", "{1 1}, {2}", "{1 1} {0.5}"])
    def test_instance_weights(self, tmp_path, row):
        path = write(tmp_path, HEADER + row + "\n")
        weight = row[row.rindex("{") + 1:-1]
        with raises(f"{path}:6: the row ends with an instance weight {{{weight}}}, which this "
                    "reader does not support; remove the weights."):
            read(path)

    def test_stray_brace_in_a_row(self, tmp_path):
        path = write(tmp_path, HEADER + "0,{1},0\n")
        with raises(f"{path}:6: unexpected '{{' in a dense row."):
            read(path)
        path = write(tmp_path, HEADER + "{1 1} 2\n")
        with raises(f"{path}:6: unexpected '2' in a sparse row."):
            read(path)
        path = write(tmp_path, HEADER + "{1 {1}}\n")
        with raises(f"{path}:6: unexpected '{{' inside the sparse row."):
            read(path)

    def test_unterminated_quote(self, tmp_path):
        path = write(tmp_path, HEADER + "'abc,1,0\n")
        with raises(f"{path}:6: the quote ' opened at \"'abc,1,0\" is never closed on this "
                    "line."):
            read(path)


class TestHeaderErrors:
    def test_no_data_line(self, tmp_path):
        path = write(tmp_path, "@relation r\n@attribute x numeric\n@attribute A {0,1}\n\n")
        with raises(f"{path}: no @data line; the file ends at line 4 after 2 @attribute lines. "
                    "An ARFF file declares its attributes, then '@data', then one row per line."):
            read_arff(path)

    def test_data_before_attributes(self, tmp_path):
        path = write(tmp_path, "@relation r\n@data\n1\n")
        with raises(f"{path}:2: @data comes before any @attribute line; declare each "
                    "attribute with '@attribute NAME TYPE'."):
            read_arff(path)

    def test_no_data_row(self, tmp_path):
        path = write(tmp_path, HEADER + "% only a comment\n\n")
        with raises(f"{path}:5: @data is followed by no data row; expected one row per line."):
            read_arff(path)

    def test_text_beside_data(self, tmp_path):
        path = write(tmp_path, HEADER.replace("@data", "@data 1,0,1"))
        with raises(f"{path}:5: expected the data rows to start on the line after @data, found "
                    "'1,0,1' beside it."):
            read_arff(path)

    def test_not_an_arff_header(self, tmp_path):
        path = write(tmp_path, "x,A,B\n1,0,1\n")
        with raises(f"{path}:1: expected @relation, @attribute or @data (an ARFF header), found "
                    "'x,A,B'."):
            read_arff(path)
        path = write(tmp_path, "@relation r\n@attribute x numeric\n@end x\n@data\n")
        with raises(f"{path}:3: expected @attribute or @data (an ARFF header), found '@end x'."):
            read_arff(path)

    def test_unknown_type(self, tmp_path):
        path = write(tmp_path, "@relation r\n@attribute x float\n@data\n1\n")
        with raises(f"{path}:2: the attribute 'x' has type 'float'; expected numeric, real, "
                    "integer, string, date or {value,value,...}."):
            read_arff(path)

    def test_no_type(self, tmp_path):
        path = write(tmp_path, "@relation r\n@attribute 'x y'\n@data\n1\n")
        with raises(f"{path}:2: the attribute 'x y' has no type; expected numeric, real, "
                    "integer, string, date or {value,value,...}."):
            read_arff(path)

    def test_no_name(self, tmp_path):
        path = write(tmp_path, "@relation r\n@attribute {0,1}\n@data\n1\n")
        with raises(f"{path}:2: expected '@attribute NAME TYPE', found '@attribute {{0,1}}'."):
            read_arff(path)

    def test_nominal_values_not_closed(self, tmp_path):
        path = write(tmp_path, "@relation r\n@attribute A {0,1\n@data\n1\n")
        with raises(f"{path}:2: the nominal values of 'A' lack their closing '}}'."):
            read_arff(path)

    def test_nested_brace_in_nominal_values(self, tmp_path):
        path = write(tmp_path, "@relation r\n@attribute A {0,{1}}\n@data\n1\n")
        with raises(f"{path}:2: unexpected '{{' in the nominal values of 'A'."):
            read_arff(path)

    def test_relational_attribute(self, tmp_path):
        path = write(tmp_path, "@relation r\n@attribute bag relational\n@end bag\n@data\n")
        with raises(f"{path}:2: the attribute 'bag' is relational (multi-instance data), which "
                    "this reader does not support."):
            read_arff(path)

    def test_unterminated_quote_in_the_header(self, tmp_path):
        path = write(tmp_path, "@relation r\n@attribute 'x numeric\n@data\n1\n")
        with raises(f"{path}:2: the quote ' opened at \"'x numeric\" is never closed on this "
                    "line."):
            read_arff(path)

    def test_unterminated_quote_in_the_relation(self, tmp_path):
        path = write(tmp_path, "% c\n@relation 'r: -C 1\n@attribute x numeric\n@data\n1\n")
        with raises(f"{path}:2: the quote ' opened at \"'r: -C 1\" is never closed on this "
                    "line."):
            read_arff(path)

    def test_missing_file_and_folder(self, tmp_path):
        with raises(f"{tmp_path / 'none.arff'}: no such file."):
            read_arff(tmp_path / "none.arff")
        with raises(f"{tmp_path} is a folder; give an .arff file."):
            read_arff(tmp_path)

    @pytest.mark.parametrize("bad", [0, -3, 1.5, True, "10"])
    def test_block_rows(self, tmp_path, bad):
        path = write(tmp_path, HEADER + "0,1,0\n")
        with raises(f"block_rows must be a positive integer, got {bad!r}."):
            read_arff(path, block_rows=bad)
        with raises(f"block_rows must be a positive integer, got {bad!r}."):
            next(read_arff(path).blocks(block_rows=bad))


class TestLabelErrors:
    def test_no_labels_found(self, tmp_path):
        path = write(tmp_path, "@relation r\n@attribute x numeric\n@attribute c {a,b}\n@data\n"
                               "1,a\n", "plain-test.arff")
        with raises(
            f"{path}: cannot tell which attributes are labels. Looked for a Mulan label file "
            f"({tmp_path / 'plain-test.xml'} or {tmp_path / 'plain.xml'}: not found), MEKA's "
            "'-C n' in the @relation name (absent) and nominal attributes declared {0,1} (none). "
            f"Name the label attributes (label_columns), or put a Mulan label file at "
            f"{tmp_path / 'plain.xml'}: <labels><label name=\"...\"/>...</labels>."
        ):
            read_arff(path)

    def test_xml_names_a_label_not_in_the_file(self, tmp_path):
        path = write(tmp_path, FOUR, "four.arff")
        write(tmp_path, xml("p", "S", "zz"), "four.xml")
        with raises(
            f"{path}: the label file {tmp_path / 'four.xml'} names 2 label(s) that are not "
            "attributes of the file: ['S', 'zz'] (did you mean 's'?). The file's 4 attributes "
            "are ['p', 'q', 'r', 's']."
        ):
            read_arff(path)

    def test_label_columns_not_in_the_file(self, tmp_path):
        path = write(tmp_path, FOUR)
        with raises(f"{path}: label_columns names 1 label(s) that are not attributes of the "
                    "file: ['t']. The file's 4 attributes are ['p', 'q', 'r', 's']."):
            read_arff(path, label_columns=["p", "t"])

    def test_many_attributes_are_shortened(self, tmp_path):
        text = "@relation r\n" + "".join(f"@attribute a{i} numeric\n" for i in range(20)) + \
            "@data\n" + ",".join("0" * 20) + "\n"
        with raises("The file's 20 attributes are ['a0', 'a1', 'a2', 'a3', 'a4', '...', 'a15', "
                    "'a16', 'a17', 'a18', 'a19']."):
            read_arff(write(tmp_path, text), label_columns=["b"])

    def test_label_columns_empty_or_repeated(self, tmp_path):
        path = write(tmp_path, FOUR)
        with raises(f"{path}: label_columns is empty; name at least one label attribute."):
            read_arff(path, label_columns=[])
        with raises("label_columns names the label 'p' twice; each label is one attribute."):
            read_arff(path, label_columns=["p", "q", "p"])

    def test_label_declared_twice(self, tmp_path):
        text = FOUR.replace("@attribute s {0,1}", "@attribute p {0,1}")
        path = write(tmp_path, text)
        with raises(f"{path}: the label 'p' is declared by several @attribute lines (2, 5); "
                    "attribute names must be unique."):
            read_arff(path, label_columns=["p"])

    def test_meka_c_with_duplicate_names(self, tmp_path):
        text = FOUR.replace("@attribute q {0,1}", "@attribute p {0,1}")
        path = write(tmp_path, text)
        with raises(f"{path}: the label 'p' is declared by several @attribute lines (2, 3); "
                    "attribute names must be unique."):
            read_arff(path)

    def test_labels_xml_missing(self, tmp_path):
        path = write(tmp_path, FOUR)
        with raises(f"{tmp_path / 'no.xml'}: no such label file (given for {path})."):
            read_arff(path, labels_xml=tmp_path / "no.xml")

    def test_xml_not_readable(self, tmp_path):
        path = write(tmp_path, FOUR, "four.arff")
        write(tmp_path, "<labels>\n<label name='p'>\n</labels>\n", "four.xml")
        with raises(f"{tmp_path / 'four.xml'}:3: not a readable XML label file (mismatched tag: "
                    "line 3, column 2); expected <labels xmlns="):
            read_arff(path)

    def test_xml_wrong_root(self, tmp_path):
        path = write(tmp_path, FOUR, "four.arff")
        write(tmp_path, "<names><label name='p'/></names>", "four.xml")
        with raises(f"{tmp_path / 'four.xml'}: expected a Mulan label file <labels xmlns="
                    '"http://mulan.sourceforge.net/labels"><label name="..."></label>...'
                    "</labels>, found the root element <names>."):
            read_arff(path)

    def test_xml_without_labels(self, tmp_path):
        path = write(tmp_path, FOUR, "four.arff")
        write(tmp_path, xml(), "four.xml")
        with raises(f"{tmp_path / 'four.xml'}: names no label; expected <labels"):
            read_arff(path)
        write(tmp_path, "<labels><label id='p'/></labels>", "four.xml")
        with raises(f"{tmp_path / 'four.xml'}: a <label> element has no name attribute; "
                    "expected <labels"):
            read_arff(path)
        write(tmp_path, xml("p", "p"), "four.xml")
        with raises(f"{tmp_path / 'four.xml'} names the label 'p' twice; each label is one "
                    "attribute."):
            read_arff(path)

    @pytest.mark.parametrize("n", ["0", "5", "-5"])
    def test_meka_c_out_of_range(self, tmp_path, n):
        path = write(tmp_path, FOUR.replace("-C 2", f"-C {n}"))
        with raises(f"{path}:1: the @relation name gives MEKA's -C {int(n)}, but the file has 4 "
                    "attributes; expected n with 1 <= |n| <= 4."):
            read_arff(path)

    def test_meka_c_followed_by_weka_filters(self, tmp_path):
        relation = ("'four: -C 2 -I 0-weka.filters.unsupervised.attribute.Remove-R1-2_four: "
                    "-C 2'")
        path = write(tmp_path, FOUR.replace("'four: -C 2'", relation), "four-train.arff")
        with raises(f"{path}:1: the @relation name gives MEKA's -C 2, then records Weka filters "
                    "applied after it (weka.filters.unsupervised.attribute.Remove, ...), which "
                    "may have moved or removed label attributes. Name the label attributes "
                    f"(label_columns), or put a Mulan label file at {tmp_path / 'four.xml'}."):
            read_arff(path)
        assert read_arff(path, label_columns=["s"]).labels == ("s",)

    @pytest.mark.parametrize("decl, shown", [("{a,b}", "{a,b}"), ("{0,1,2}", "{0,1,2}"),
                                              ("{}", "{}")])
    def test_label_declared_with_other_values(self, tmp_path, decl, shown):
        path = write(tmp_path, FOUR.replace("@attribute q {0,1}", f"@attribute q {decl}"))
        with raises(f"{path}:3: the label 'q' is declared {shown}; a label attribute holds 0 or "
                    "1 (declare it {0,1})."):
            read_arff(path, label_columns=["q"])

    @pytest.mark.parametrize("kind", ["string", "date"])
    def test_label_declared_string_or_date(self, tmp_path, kind):
        path = write(tmp_path, FOUR.replace("@attribute r numeric", f"@attribute r {kind}"))
        with raises(f"{path}:4: the label 'r' is declared {kind}; a label attribute holds 0 or "
                    "1 (declare it {0,1} or numeric)."):
            read_arff(path, label_columns=["r"])

    def test_errors_are_input_errors(self, tmp_path):
        path = write(tmp_path, HEADER + "0,1,2\n")
        with pytest.raises(ValueError):
            read(path)


# --------------------------------------------------------------------------
# real data sets
# --------------------------------------------------------------------------

needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"the Mulan data sets are not at {DATA} (shared data folder absent)")


def xml_names(path: Path) -> list:
    import xml.etree.ElementTree as ET

    return [e.get("name") for e in ET.parse(path).getroot().iter() if e.tag.endswith("label")]


def reference_sparse(path: Path, labels: list) -> np.ndarray:
    """A plain parse of a sparse ARFF file with unquoted values: labels in file order."""
    names, rows = [], []
    with open(path, encoding="utf-8") as f:
        lines = iter(f)
        for line in lines:
            if line.lower().startswith("@attribute"):
                names.append(line.split()[1])
            elif line.lower().startswith("@data"):
                break
        for line in lines:
            line = line.strip()
            if line:
                pairs = (item.split() for item in line[1:-1].split(",") if item.strip())
                rows.append({int(k): v for k, v in pairs})
    cols = [i for i, n in enumerate(names) if n in set(labels)]
    return np.array([[int(r.get(i, "0")) for i in cols] for r in rows], dtype=np.uint8)


@needs_data
@pytest.mark.parametrize("name, split, shape", [
    ("yeast", "train", (1500, 14)), ("yeast", "test", (917, 14)), ("yeast", "", (2417, 14)),
    ("emotions", "train", (391, 6)), ("emotions", "test", (202, 6)), ("emotions", "", (593, 6))])
def test_dense_data_sets_match_scipy(name, split, shape):
    from scipy.io import arff as scipy_arff

    path = DATA / name / (f"{name}-{split}.arff" if split else f"{name}.arff")
    f = read_arff(path)
    assert f.label_source == str(DATA / name / f"{name}.xml")
    assert sorted(f.labels) == sorted(xml_names(DATA / name / f"{name}.xml"))
    data, meta = scipy_arff.loadarff(path)
    assert list(f.labels) == [n for n in meta.names() if n in set(f.labels)]  # file order
    expected = np.column_stack([data[n].astype(str).astype(int) for n in f.labels])
    values = f.read_all()
    assert not f.sparse and values.shape == shape
    np.testing.assert_array_equal(values, expected)
    blocks = list(f.blocks(block_rows=100))
    np.testing.assert_array_equal(np.concatenate([b.values for b in blocks]), expected)


@needs_data
def test_yeast_label_order_is_the_file_order():
    f = read_arff(DATA / "yeast" / "yeast-test.arff")
    assert f.labels == tuple(f"Class{k}" for k in range(1, 15))
    assert xml_names(DATA / "yeast" / "yeast.xml")[3] == "Class6"  # the XML file's own order
    assert f.line(0) == f.data_line + 1 == 122


@needs_data
@pytest.mark.parametrize("split, rows", [("train", 333), ("test", 645), ("", 978)])
def test_medical_matches_a_reference_parse(split, rows):
    path = DATA / "medical" / (f"medical-{split}.arff" if split else "medical.arff")
    labels = xml_names(DATA / "medical" / "medical.xml")
    f = read_arff(path)
    assert f.sparse and len(f.attributes) == 1494 and len(f.labels) == 45
    assert f.label_indices == tuple(range(1449, 1494))
    m = f.read_all()
    assert sp.isspmatrix_csr(m) and m.shape == (rows, 45)
    np.testing.assert_array_equal(m.toarray(), reference_sparse(path, labels))
    if not split:
        assert m.sum() / rows == pytest.approx(1.245, abs=5e-4)  # Mulan's label cardinality


@needs_data
def test_medical_without_its_label_file_asks_for_the_labels(tmp_path):
    # Its relation name says -C 45, but the labels are the last 45 attributes.
    path = tmp_path / "medical-test.arff"
    shutil.copy(DATA / "medical" / "medical-test.arff", path)
    with raises(f"{path}:1: the @relation name gives MEKA's -C 45, then records Weka filters "
                "applied after it"):
        read_arff(path)
    shutil.copy(DATA / "medical" / "medical.xml", tmp_path / "medical.xml")
    assert read_arff(path).label_indices == tuple(range(1449, 1494))


@needs_data
def test_bibtex_as_sparse_arff(tmp_path):
    """Mulan's bibtex layout (1,836 word features, then 159 tags), written from the XC file."""
    folder = DATA / "bibtex_xc"
    features = (folder / "Bibtex_features.txt").read_text(encoding="utf-8").split("\n")[:1836]
    tags = [t for t in (folder / "Bibtex_labels.txt").read_text(encoding="utf-8").split("\n")
            if t]
    path = tmp_path / "bibtex.arff"
    truth = []
    with open(folder / "Bibtex_data.txt", encoding="utf-8") as src, \
            open(path, "w", encoding="utf-8") as out:
        n, d, L = map(int, src.readline().split())
        out.write("@relation 'bibtex'\n\n")
        out.writelines(f"@attribute '{x}' {{0,1}}\n" for x in features)
        out.writelines(f"@attribute {t} {{0,1}}\n" for t in tags)
        out.write("\n@data\n")
        for line in src:
            head, _, rest = line.rstrip("\n").partition(" ")
            ys = [int(y) for y in head.split(",") if y]
            xs = sorted(int(e.split(":")[0]) for e in rest.split())
            out.write("{" + ",".join(f"{i} 1" for i in xs + [d + y for y in ys]) + "}\n")
            truth.append(ys)
    (tmp_path / "bibtex.xml").write_text(xml(*tags), encoding="utf-8")
    started = time.perf_counter()
    f = read_arff(path)
    m = f.read_all()
    elapsed = time.perf_counter() - started
    assert f.labels == tuple(tags) and m.shape == (n, L) == (7395, 159)
    expected = sp.csr_matrix(
        (np.ones(sum(map(len, truth))), ([r for r, ys in enumerate(truth) for _ in ys],
                                         [y for ys in truth for y in ys])), shape=(n, L))
    assert (m != expected).nnz == 0
    assert elapsed < 5, f"reading bibtex took {elapsed:.2f} s"



# --------------------------------------------------------------------------
# encodings and streams
# --------------------------------------------------------------------------


class TestOpening:
    def test_other_encoding(self, tmp_path):
        path = tmp_path / "latin.arff"
        path.write_bytes(HEADER.replace("@attribute B", "@attribute 'Bé'").encode("latin-1")
                         + b"0,1,1\n")
        assert read_arff(path, encoding="latin-1").labels == ("A", "Bé")
        assert read_arff(path).labels == ("A", "B\ufffd")  # undecodable bytes are replaced

    def test_unknown_encoding(self, tmp_path):
        with raises("unknown text encoding 'klingon'; use e.g. utf-8, latin-1 or cp1252."):
            read_arff(write(tmp_path, HEADER + "0,1,1\n"), encoding="klingon")

    def test_opener_reads_a_compressed_file(self, tmp_path):
        import gzip

        packed = tmp_path / "t.arff.gz"
        with gzip.open(packed, "wt", encoding="utf-8") as f:
            f.write("\ufeff" + HEADER + "0,1,0\n% c\n1,1,1\n")
        write(tmp_path, xml("B"), "t.xml")  # found beside the file named by path
        calls = []

        def opener():
            calls.append(1)
            return gzip.open(packed, "rt", encoding="utf-8", newline="")

        f = read_arff(packed, opener=opener)
        assert f.labels == ("B",) and len(calls) == 1
        np.testing.assert_array_equal(f.read_all(), [[0], [1]])
        assert len(calls) == 2 and f.line(1) == 8
