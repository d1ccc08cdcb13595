"""Every curl example of the README's service section works as written, against a real server."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
README_URL = "http://127.0.0.1:8000"
README_TOKEN = "change-me"


def examples() -> list[tuple[str, int | None]]:
    """Each curl command of the service section (continuation lines joined), with the status it says it gets."""
    section = README.read_text(encoding="utf-8").split("## The service", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL):
        for command in block.replace("\\\n", " ").splitlines():
            if command.startswith("curl "):
                expected = re.search(r"# → (\d{3})\s*$", command)
                commands.append((command, int(expected.group(1)) if expected else None))
    return commands


def test_the_readme_has_examples_of_every_endpoint():
    text = " ".join(command for command, _ in examples())
    for endpoint in ("/sparql", "/update", "/store", "/queries", "/openapi.json", "/.well-known/void", "/healthz", "8000/ "):
        assert endpoint in text + " ", endpoint


def test_every_example_works_against_a_server(own_server):
    for command, expected in examples():
        runnable = command.replace(README_URL, own_server.url).replace(README_TOKEN, own_server.token)
        runnable = runnable.replace("curl ", "curl -s -o /dev/null -w '%{http_code}' ", 1)
        status = int(subprocess.run(["bash", "-c", runnable], capture_output=True, text=True, timeout=60, check=True).stdout)
        assert status == (expected or success(command)), f"{status} for: {command}"


def success(command: str) -> int:
    """The status of an example that states none: a PUT creates (201), a DELETE or an update answers no content (204)."""
    if " -X PUT " in command:
        return 201
    if " -X DELETE " in command or "/update" in command:
        return 204
    return 200
