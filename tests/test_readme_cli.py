"""The README's command-line section quotes real output.

Each ``$ command`` in a ``console`` block of the section "The command line" is
run from the repository root; the lines quoted under it must appear in what it
really prints (stdout and stderr together), in order. A line ``...`` marks
output left out; without it at the start or the end, the quote must start or
end exactly where the real output does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def section() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("\n## The command line\n", 1)[1].split("\n## ", 1)[0]


def examples() -> list[tuple[str, list[str]]]:
    """(command, quoted output lines) for every command in the section."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", section(), flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            lines = chunk.rstrip("\n").split("\n")
            command = [lines.pop(0)]
            while command[-1].endswith("\\"):
                command.append(lines.pop(0))
            out.append(("\n".join(command), lines))
    return out


EXAMPLES = examples()


def test_the_section_has_the_examples():
    commands = [c for c, _ in EXAMPLES]
    assert len(commands) == 10
    assert any(c.startswith("labelwise compare") for c in commands)
    assert any(c.startswith("labelwise tune") for c in commands)
    assert any("--format json" in c for c in commands)
    assert any("--require" in c for c in commands)
    assert all(lines for _, lines in EXAMPLES)


def quoted_in(quoted: list[str], real: list[str]) -> bool:
    """Whether the quoted lines, split at '...', appear in ``real`` in order."""
    chunks: list[list[str]] = [[]]
    for line in quoted:
        if line.strip() == "...":
            chunks.append([])
        else:
            chunks[-1].append(line.rstrip())
    anchored_start, anchored_end = bool(chunks[0]), bool(chunks[-1])
    pos = 0
    for k, chunk in enumerate(chunks):
        if not chunk:
            continue
        starts = [i for i in range(pos, len(real) - len(chunk) + 1)
                  if real[i : i + len(chunk)] == chunk]
        if k == 0 and anchored_start:
            starts = [i for i in starts if i == 0]
        if k == len(chunks) - 1 and anchored_end:
            starts = [i for i in starts if i + len(chunk) == len(real)]
        if not starts:
            return False
        pos = starts[0] + len(chunk)
    return True


@pytest.mark.parametrize("command,quoted", EXAMPLES, ids=[c[:60] for c, _ in EXAMPLES])
def test_readme_command_prints_what_is_quoted(command, quoted):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=120)
    real = [line.rstrip() for line in proc.stdout.rstrip("\n").split("\n")]
    if "exit code" not in command:
        assert proc.returncode == 0, proc.stdout
    assert "Traceback" not in proc.stdout
    assert quoted_in(quoted, real), "\n".join(["quoted:", *quoted, "real:", *real])


def test_quoted_in_is_strict():
    real = ["a", "b", "c", "d"]
    assert quoted_in(["a", "b", "...", "d"], real)
    assert quoted_in(["...", "c"], real[:3])
    assert not quoted_in(["b", "...", "d"], real)  # the start is not anchored at "a"
    assert not quoted_in(["a", "...", "c"], real)  # the end is not anchored at "d"
    assert not quoted_in(["a", "c", "..."], real)  # not contiguous
    assert not quoted_in(["...", "d", "...", "b", "..."], real)  # out of order
