import subprocess
import sys

from edge.cli.main import build_parser, main


def test_help_lists_subcommands():
    text = build_parser().format_help()
    for command in ("data", "synth"):
        assert command in text


def test_console_script_help_runs():
    out = subprocess.run([sys.executable, "-m", "edge.cli.main", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "data" in out.stdout


def test_missing_folder_is_one_line_error(tmp_path, capsys):
    code = main(["data", "check", "--data-root", str(tmp_path / "absent")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: no dataset folders")


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "usage: anpr" in capsys.readouterr().out


# a bug (not a user error) inside a subcommand: build_agent replaced by one that divides by zero
_BROKEN = (
    "import sys, edge.cli.run as r; r.build_agent = lambda a: 1/0; "
    "from edge.cli.main import main; sys.exit(main(sys.argv[1:]))"
)


def test_unexpected_error_is_one_line_and_debug_shows_the_traceback():
    out = subprocess.run([sys.executable, "-c", _BROKEN, "run"], capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1].startswith("error: ZeroDivisionError")
    assert "Traceback" not in out.stderr
    debug = subprocess.run([sys.executable, "-c", _BROKEN, "--debug", "run"], capture_output=True, text=True)
    assert debug.returncode != 0 and "Traceback" in debug.stderr
