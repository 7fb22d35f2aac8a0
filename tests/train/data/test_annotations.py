import pytest

from edge.errors import DataError
from edge.types import Box
from tests.conftest import noise_image
from train.data.annotations import read_dataset
from train.data.check import check_dataset, check_dirs, format_summary


def test_reads_boxes_crops_and_groups(make_layout):
    root = make_layout(
        "good",
        [
            ("cams/a.jpg", 10, 10, 50, 30, "AB123"),
            ("cams/a.jpg", 60, 10, 100, 30, ""),
            ("b.jpg", "", "", "", "", "XYZ9"),
        ],
        {"cams/a.jpg": noise_image(0), "b.jpg": noise_image(1)},
    )
    dataset = read_dataset(root)
    assert not dataset.issues
    a, b, c = dataset.annotations
    assert a.box == Box(10, 10, 50, 30) and a.group == "cams" and a.row == 2
    assert b.text == "" and c.box is None and c.group == "all"
    summary = check_dataset(dataset)
    assert (summary.rows, summary.crops, summary.boxes, summary.texts, summary.images) == (3, 1, 2, 2, 2)
    assert summary.width_histogram()["25-49"] == 2 and summary.width_histogram()["100-199"] == 1
    assert not summary.errors
    assert "rows 3" in format_summary(summary)


def test_each_problem_names_file_and_row(make_layout, tmp_path):
    root = make_layout(
        "bad",
        [
            ("ok.jpg", 0, 0, 10, 10, "AB1"),
            ("missing.jpg", "", "", "", "", "AB2"),
            ("ok.jpg", 100, 0, 200, 10, "AB3"),  # outside the 120x60 image
            ("ok.jpg", 0, 0, 10, 10, "ab-4"),  # not normalised: read as AB4, with a warning
            ("ok.jpg", 0, 0, 10, 10, "ÄB5"),  # odd character
            ("ok.jpg", 0, 0, 10, "", "AB6"),  # partial box
            ("ok.jpg", 5, 5, 5, 10, "AB7"),  # empty box
            ("corrupt.jpg", "", "", "", "", "AB8"),
            ("ok.jpg", 1, 2, 3),  # too few columns
            ("nolabel.jpg", "", "", "", "", ""),  # crop without text: warning only
        ],
        {"ok.jpg": noise_image(0), "nolabel.jpg": noise_image(2)},
    )
    (root / "images" / "corrupt.jpg").write_bytes(b"\xff\xd8garbage")
    summary = check_dataset(read_dataset(root))
    messages = [str(i) for i in summary.issues]
    expect = {
        3: None,
        4: "lies outside the 120x60 image",
        5: "not normalised",
        6: "outside A-Z0-9",
        7: "some but not all",
        8: "empty box",
        10: "expected 6 columns",
        11: "carries no label",
    }
    for row, fragment in expect.items():
        if fragment:
            assert any(f"annotations.csv:{row}:" in m and fragment in m for m in messages), (row, messages)
    assert any("annotations.csv:3: images/missing.jpg: file not found" in m for m in messages)
    assert any("annotations.csv:9: images/corrupt.jpg: not a readable image" in m for m in messages)
    assert len(summary.errors) == 7
    assert [i.severity for i in summary.issues].count("warning") == 2
    assert [a.text for a in read_dataset(root).annotations if a.row == 5] == ["AB4"]
    assert any("annotations.csv:5:" in m and "read as 'AB4'" in m for m in messages)


def test_a_byte_order_mark_and_windows_line_ends_are_read(tmp_path):
    (tmp_path / "images").mkdir()
    data = "\ufeffimage,x1,y1,x2,y2,text\r\na.jpg,10,10,50.5,30,AB123\r\nb.jpg,,,,,XY9\r\n"
    (tmp_path / "annotations.csv").write_bytes(data.encode("utf-8"))
    dataset = read_dataset(tmp_path)
    assert [(a.image, a.box, a.text) for a in dataset.annotations] == [
        ("a.jpg", Box(10, 10, 50.5, 30), "AB123"),
        ("b.jpg", None, "XY9"),
    ]
    assert not dataset.issues


def test_bad_header_and_missing_csv(tmp_path):
    with pytest.raises(DataError, match=r"no annotations\.csv"):
        read_dataset(tmp_path)
    (tmp_path / "annotations.csv").write_text("file,box\n")
    with pytest.raises(DataError, match="header must be"):
        read_dataset(tmp_path)
    assert check_dirs([tmp_path])[0].errors


def test_cli_exit_codes(make_layout, capsys):
    from edge.cli.main import main

    good = make_layout("good", [("a.jpg", "", "", "", "", "AB1")], {"a.jpg": noise_image(0)})
    bad = make_layout("bad", [("gone.jpg", "", "", "", "", "AB1")], {})
    assert main(["data", "check", str(good)]) == 0
    assert main(["data", "check", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "gone.jpg" in out and "1 error(s)" in out


@pytest.mark.shared_data
def test_shared_data_has_no_errors(shared_sources):
    summaries = check_dirs(shared_sources)
    assert {s.name for s in summaries} >= {"us_crops", "br_crops", "tunisia", "france", "romania"}
    for summary in summaries:
        assert not summary.errors, [str(e) for e in summary.errors[:5]]
        assert summary.rows > 0


def test_evaluation_rows_leave_out_rows_with_errors_and_say_so(make_layout, tmp_path, caplog):
    from train.evaluate import dataset_rows

    root = make_layout(
        "mixed",
        [("ok.jpg", 0, 0, 10, 10, "AB1"), ("ok.jpg", 5, 5, 5, 10, "AB7"), ("ok.jpg", 0, 0, 10, 10, "ab 2")],
        {"ok.jpg": noise_image(0)},
    )
    left_out: list[str] = []
    rows = dataset_rows([root], "all", tmp_path / "no-manifest", left_out)
    assert [r[1].text for r in rows] == ["AB1", "AB2"]
    assert len(left_out) == 1 and "annotations.csv:3:" in left_out[0] and "empty box" in left_out[0]
    assert any("left out:" in r.getMessage() and "empty box" in r.getMessage() for r in caplog.records)
