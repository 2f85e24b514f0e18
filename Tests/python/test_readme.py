"""The README's Python example runs as written."""
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "README has no Python example"
    exec(compile(blocks[0], "README.md", "exec"), {})
    printed = capsys.readouterr().out
    loss = float(re.search(r"loss (\S+)", printed).group(1))
    assert loss < 1.0986  # below chance level (ln 3) after 20 steps
    assert "swiftnn.Size([16, 4])" in printed
