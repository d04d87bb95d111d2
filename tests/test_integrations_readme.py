"""Every command and configuration snippet of the README's "Options" and "Integrations" sections.

Each fenced block of those sections is listed here with how it is verified: run on this machine
(flake8 and the command over temporary projects, ruff when installed, ast-grep's language server),
checked by another test module (the CI workflows, pre-commit), or documentation only because it
needs a network service or an editor (reviewdog posting to GitHub, a hook repository on GitHub,
Neovim, PyCharm). A block that is added or changed without updating this file fails
``test_every_block_is_accounted_for``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

from flake8_celery_pickle.codes import BY_CODE, RULES
from flake8_celery_pickle.vocabulary import SERIALIZER_RISK

try:  # Python 3.11+
    import tomllib
except ImportError:  # pragma: no cover - Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(name: str) -> str:
    start = README.index(f"<!-- section:{name}:start -->")
    return README[start : README.index(f"<!-- section:{name}:end -->", start)]


def blocks(name: str) -> List[Tuple[str, str]]:
    """``(language, body)`` of every fenced block of a README section, in order."""
    return re.findall(r"^```(\w*)\n(.*?)^```$", section(name), flags=re.M | re.S)


OPTIONS = blocks("options")
INTEGRATIONS = blocks("integrations")


def block(blocks_: List[Tuple[str, str]], language: str, contains: str) -> str:
    [body] = [b for lang, b in blocks_ if lang == language and contains in b]
    return body


#: Every block, by section, language and a distinctive piece of it -> where it is verified.
ACCOUNTED: Dict[Tuple[str, str, str], str] = {
    ("options", "ini", "celery-pickle-namespaces = CELERY, TASKS"): "test_options_in_config_file",
    ("options", "sh", "flake8 --celery-pickle-namespaces"): "test_options_on_command_line",
    ("options", "ini", "select = E,F,W"): "test_explicit_select_recipe",
    ("options", "ini", "extend-select = CPK010"): "test_cpk010_opt_in",
    ("integrations", "yaml", "id: celery-pickle-config"): "test_integrations_precommit (try-repo)",
    (
        "integrations",
        "yaml",
        "repo: https://github.com/PyCQA/flake8",
    ): "test_integrations_precommit (local twin)",
    (
        "integrations",
        "sh",
        "pre-commit try-repo https://",
    ): "documentation only: needs the hosted repository",
    ("integrations", "json", "flake8.importStrategy"): "test_vscode_settings",
    (
        "integrations",
        "lua",
        'require("lint")',
    ): "documentation only: Neovim (its flake8 call is in test_integrations_editors)",
    (
        "integrations",
        "vim",
        "g:ale_linters",
    ): "documentation only: Vim (its flake8 call is in test_integrations_editors)",
    ("integrations", "toml", "external"): "test_ruff_external",
    ("integrations", "sh", "flake8-celery-pickle --print-pack-path\n"): "test_print_pack_path",
    ("integrations", "sh", "ast-grep lsp -c"): "test_ast_grep_language_server",
    ("integrations", "sh", "--format sarif --output celery-pickle.sarif"): "test_integrations_ci",
    ("integrations", "sh", "--format github ."): "test_integrations_ci",
    ("integrations", "sh", "--format gitlab --output"): "test_integrations_ci",
    (
        "integrations",
        "sh",
        "--format rdjson . | reviewdog",
    ): "test_integrations_ci (reviewdog itself: documentation only)",
    ("integrations", "sh", '-efm="%f:%l:%c: %m"'): "test_reviewdog_errorformat_recipe",
}


def test_every_block_is_accounted_for():
    seen = []
    for name, found in (("options", OPTIONS), ("integrations", INTEGRATIONS)):
        for language, body in found:
            keys = [k for k in ACCOUNTED if k[:2] == (name, language) and k[2] in body]
            assert len(keys) == 1, (name, language, body)
            seen.extend(keys)
    assert sorted(seen) == sorted(ACCOUNTED)


# --- helpers -------------------------------------------------------------------------------------


def tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is not installed"
    return found


def run(args: List[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def sh_command(body: str) -> List[str]:
    """The one command of an ``sh`` block, split, with its executable resolved."""
    [line] = [line for line in body.splitlines() if line.strip()]
    args = shlex.split(line)
    return [tool(args[0]), *args[1:]]


OPTION_SOURCE = (
    "from celery import Celery\n"
    "\n"
    "TASKS_TASK_SERIALIZER = 'pickle'\n"
    "app = Celery('proj')\n"
    "app.conf.update(task_serializer='fast', accept_content=['json'])\n"
)
#: What the options block's settings reveal in OPTION_SOURCE (nothing without them).
OPTION_FINDINGS = [
    "src/tasks_settings.py:3:25: "
    + BY_CODE["CPK001"].text(
        setting="TASKS_TASK_SERIALIZER", value="pickle", risk=SERIALIZER_RISK["task_serializer"]
    ),
    "src/tasks_settings.py:5:33: "
    + BY_CODE["CPK003"].text(call="app.conf.update()", setting="task_serializer", value="fast"),
]


@pytest.fixture
def option_project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "tasks_settings.py").write_text(OPTION_SOURCE)
    return tmp_path


def flake8_lines(cwd: Path, *args: str) -> List[str]:
    result = run([tool("flake8"), *args], cwd)
    assert result.stderr == ""
    return result.stdout.splitlines()


# --- Options -------------------------------------------------------------------------------------


def test_options_without_settings_find_nothing(option_project: Path):
    (option_project / "tox.ini").write_text("[flake8]\nselect = CPK\n")
    assert flake8_lines(option_project, "src/") == []


@pytest.mark.parametrize("config_file", ["setup.cfg", "tox.ini", ".flake8"])
def test_options_in_config_file(option_project: Path, config_file: str):
    ini = block(OPTIONS, "ini", "celery-pickle-namespaces = CELERY, TASKS")
    assert ini.startswith("[flake8]\n")
    (option_project / config_file).write_text(ini + "select = CPK\n")
    assert flake8_lines(option_project, "src/") == OPTION_FINDINGS


def test_options_on_command_line(option_project: Path):
    (option_project / "tox.ini").write_text("[flake8]\nselect = CPK\n")
    args = sh_command(block(OPTIONS, "sh", "flake8 --celery-pickle-namespaces"))
    result = run(args, option_project)
    assert (result.returncode, result.stdout.splitlines()) == (1, OPTION_FINDINGS)


def test_command_takes_the_same_options(option_project: Path):
    args = sh_command(block(OPTIONS, "sh", "flake8 --celery-pickle-namespaces"))
    args[0] = tool("flake8-celery-pickle")
    result = run([*args, "--quiet"], option_project)
    assert (result.returncode, result.stdout.splitlines()) == (1, OPTION_FINDINGS)


NAMESPACES = "--celery-pickle-namespaces=CELERY,TASKS"
UNSAFE = "--celery-pickle-unsafe-serializers=fast"

#: One case per "codes it affects" entry of the README's options table: (code, option, source).
OPTION_TABLE = [
    ("CPK001", NAMESPACES, "TASKS_TASK_SERIALIZER = 'pickle'\n"),
    ("CPK002", NAMESPACES, "TASKS_ACCEPT_CONTENT = ['json', 'pickle']\n"),
    ("CPK003", NAMESPACES, "app.conf.update(TASKS_TASK_SERIALIZER='pickle')\n"),
    ("CPK005", NAMESPACES, "TASKS_TASK_ROUTES = {'a.*': {'serializer': 'pickle'}}\n"),
    ("CPK010", NAMESPACES, "TASKS_RESULT_BACKEND = 'django-cache'\n"),
    ("CPK001", UNSAFE, "task_serializer = 'fast'\n"),
    ("CPK002", UNSAFE, "accept_content = ['json', 'fast']\n"),
    ("CPK003", UNSAFE, "app.conf.update(task_serializer='fast')\n"),
    ("CPK005", UNSAFE, "add.apply_async((1, 2), serializer='fast')\n"),
    ("CPK006", UNSAFE, "from kombu import Consumer\nConsumer(channel, queues, accept=['fast'])\n"),
    ("CPK007", UNSAFE, "from kombu.serialization import registry\nregistry.enable('fast')\n"),
    ("CPK009", UNSAFE, "app.setup_security(serializer='fast')\n"),
]


def table_codes(option: str) -> set:
    """The codes in the "codes it affects" column of an option's row of the README table."""
    [row] = [r for r in section("options").splitlines() if r.startswith(f"| `{option}` |")]
    return set(re.findall(r"CPK\d{3}", row.split(" | ")[3]))


def test_options_table_lists_the_codes_each_option_affects():
    for option in (NAMESPACES, UNSAFE):
        name = option.split("=")[0]
        tested = {code for code, opt, _ in OPTION_TABLE if opt == option}
        if option == NAMESPACES:
            tested.add("CPK004")  # test_namespaces_decide_what_cpk004_counts_as_explicit
        assert table_codes(name) == tested, name


@pytest.mark.parametrize(("code", "option", "source"), OPTION_TABLE)
def test_option_affects_code(tmp_path: Path, code: str, option: str, source: str):
    (tmp_path / "tox.ini").write_text("[flake8]\nselect = CPK\n")
    (tmp_path / "conf.py").write_text(source)
    assert codes_of(flake8_lines(tmp_path, "conf.py")) == []
    assert codes_of(flake8_lines(tmp_path, option, "conf.py")) == [code]


def test_namespaces_decide_what_cpk004_counts_as_explicit(tmp_path: Path):
    (tmp_path / "tox.ini").write_text("[flake8]\nselect = CPK\n")
    (tmp_path / "app.py").write_text(
        "from celery import Celery\n\napp = Celery('proj')\n"
        "TASKS_TASK_SERIALIZER = 'json'\nTASKS_ACCEPT_CONTENT = ['json']\n"
    )
    assert codes_of(flake8_lines(tmp_path, "app.py")) == ["CPK004"]
    assert codes_of(flake8_lines(tmp_path, NAMESPACES, "app.py")) == []


CPK010_SOURCE = (
    "# Celery settings\n"
    "\n"
    "task_serializer = 'pickle'\n"
    "result_backend = 'db+postgresql://celery@db/results'\n"
)


@pytest.fixture
def cpk010_project(tmp_path: Path) -> Path:
    (tmp_path / "celeryconfig.py").write_text(CPK010_SOURCE)
    return tmp_path


def codes_of(lines: List[str]) -> List[str]:
    return [line.split(" ")[1] for line in lines]


def test_explicit_select_recipe(cpk010_project: Path):
    # Without the recipe, an explicit select drops every CPK code.
    (cpk010_project / "setup.cfg").write_text("[flake8]\nselect = E,F,W\n")
    assert codes_of(flake8_lines(cpk010_project, ".")) == []
    (cpk010_project / "setup.cfg").write_text(block(OPTIONS, "ini", "select = E,F,W"))
    assert codes_of(flake8_lines(cpk010_project, ".")) == ["CPK001"]


@pytest.mark.parametrize(
    ("config", "args", "codes"),
    [
        pytest.param("", [], ["CPK001"], id="default"),
        pytest.param(None, [], ["CPK001", "CPK010"], id="readme-extend-select"),
        pytest.param("", ["--extend-select=CPK010"], ["CPK001", "CPK010"], id="readme-cli"),
        pytest.param("", ["--select=CPK"], ["CPK001", "CPK010"], id="select-cpk-turns-it-on"),
        pytest.param("select = E,CPK\n", [], ["CPK001", "CPK010"], id="select-list-turns-it-on"),
        pytest.param("extend-select = CPK\n", [], ["CPK001", "CPK010"], id="extend-select-cpk"),
        pytest.param("ignore = E501\n", [], ["CPK001", "CPK010"], id="explicit-ignore"),
        pytest.param(
            "extend-ignore = CPK010\n", ["--select=CPK"], ["CPK001"], id="kept-off-select"
        ),
        pytest.param(
            "extend-select = CPK\nextend-ignore = CPK010\n", [], ["CPK001"], id="kept-off-extend"
        ),
        pytest.param(
            "ignore = E501\nextend-ignore = CPK010\n", [], ["CPK001"], id="kept-off-ignore"
        ),
    ],
)
def test_cpk010_opt_in(cpk010_project: Path, config, args, codes):
    if config is None:
        text = block(OPTIONS, "ini", "extend-select = CPK010")
    else:
        text = "[flake8]\n" + config
    (cpk010_project / "setup.cfg").write_text(text)
    assert codes_of(flake8_lines(cpk010_project, *args, ".")) == codes


def test_command_keeps_cpk010_off_until_selected(cpk010_project: Path):
    command = tool("flake8-celery-pickle")
    result = run([command, "--quiet", "."], cpk010_project)
    assert (result.returncode, codes_of(result.stdout.splitlines())) == (1, ["CPK001"])
    result = run([command, "--quiet", "--extend-select=CPK010", "."], cpk010_project)
    assert codes_of(result.stdout.splitlines()) == ["CPK001", "CPK010"]


# --- VS Code -------------------------------------------------------------------------------------

VSCODE_LEVEL = {"error": "Error", "warning": "Warning", "note": "Information"}


def vscode_severity(settings: dict, code: str) -> str:
    """The extension's lookup: the longest prefix of the code in flake8.severity, else Error."""
    table = settings["flake8.severity"]
    for length in range(len(code), 0, -1):
        if code[:length] in table:
            return table[code[:length]]
    return "Error"


def test_vscode_settings():
    settings = json.loads(block(INTEGRATIONS, "json", "flake8.importStrategy"))
    assert settings["flake8.importStrategy"] == "fromEnvironment"
    for rule in RULES:
        assert vscode_severity(settings, rule.code) == VSCODE_LEVEL[rule.severity], rule.code
    # flake8's own codes keep the extension's defaults.
    assert [vscode_severity(settings, c) for c in ("E501", "F401", "W605", "I100")] == [
        "Error",
        "Error",
        "Warning",
        "Information",
    ]


# --- ruff ----------------------------------------------------------------------------------------


def test_ruff_external_parses():
    config = tomllib.loads(block(INTEGRATIONS, "toml", "external"))
    assert config["tool"]["ruff"]["lint"]["external"] == ["CPK"]


def test_ruff_external(tmp_path: Path):
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed in this environment")
    source = "task_serializer = 'pickle'  # noqa: CPK001\n"
    (tmp_path / "settings.py").write_text(source)
    # ruff flags the code it does not know (RUF102; RUF100 in older releases) ...
    args = [
        str(ruff),
        "check",
        "--no-cache",
        "--preview",
        "--select",
        "RUF100,RUF102",
        "settings.py",
    ]
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\n")
    assert run(args, tmp_path).returncode == 1
    # ... and --fix would delete the comment ...
    fixed = run([*args, "--fix"], tmp_path)
    assert (tmp_path / "settings.py").read_text() == "task_serializer = 'pickle'\n", fixed.stdout
    # ... until the README's setting declares CPK codes external.
    (tmp_path / "settings.py").write_text(source)
    (tmp_path / "pyproject.toml").write_text(block(INTEGRATIONS, "toml", "external"))
    result = run([*args, "--fix"], tmp_path)
    assert result.returncode == 0, result.stdout
    assert (tmp_path / "settings.py").read_text() == source


# --- reviewdog -----------------------------------------------------------------------------------

#: reviewdog's errorformat patterns, ported: the README's -efm and the built-in -f=flake8 one.
EFM_README = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")
EFM_FLAKE8 = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<type>.)(?P<nr>\d+) (?P<message>.+)$"
)


def test_reviewdog_errorformat_recipe(tmp_path: Path):
    body = block(INTEGRATIONS, "sh", '-efm="%f:%l:%c: %m"')
    flake8_part, _, reviewdog_part = body.strip().partition(" | ")
    assert shlex.split(reviewdog_part)[:2] == ["reviewdog", "-efm=%f:%l:%c: %m"]
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "vulnerable", work)
    result = run(sh_command(flake8_part), work)
    lines = result.stdout.splitlines()
    assert result.returncode == 1 and lines
    for line in lines:
        match = EFM_README.match(line)
        assert match and re.match(r"CPK\d{3} ", match.group("message")), line
        # The built-in flake8 pattern wants one letter before the number: it drops the line.
        assert EFM_FLAKE8.match(line) is None, line
    assert EFM_FLAKE8.match("./x.py:1:2: E501 line too long")


# --- ast-grep's language server ------------------------------------------------------------------


def test_print_pack_path():
    args = sh_command(block(INTEGRATIONS, "sh", "flake8-celery-pickle --print-pack-path\n"))
    result = run(args, ROOT)
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.name == "sgconfig.yml" and path.is_file()


class LanguageServer:
    """A minimal LSP client over stdio: enough to open a document and read diagnostics."""

    def __init__(self, args: List[str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            args, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        # A hang guard, not a time limit on behaviour: a stuck server is killed, its output
        # closes, and receive() fails instead of blocking the suite.
        self.watchdog = threading.Timer(120, self.process.kill)
        self.watchdog.start()

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> dict:
        assert self.process.stdout is not None
        length = None
        while True:
            line = self.process.stdout.readline()
            assert line, "the language server closed its output"
            if not line.strip():
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        assert length is not None
        return json.loads(self.process.stdout.read(length))

    def wait_for(self, method: str) -> dict:
        """Read messages until ``method`` arrives, answering requests from the server."""
        for _ in range(200):
            message = self.receive()
            if message.get("method") == method:
                return message
            if "id" in message and "method" in message:
                self.send({"id": message["id"], "result": None})
        raise AssertionError(f"no {method} message")

    def wait_for_response(self, request_id: int) -> dict:
        for _ in range(200):
            message = self.receive()
            if message.get("id") == request_id and "method" not in message:
                return message
        raise AssertionError(f"no response to request {request_id}")

    def close(self) -> None:
        try:
            self.send({"id": 99, "method": "shutdown"})
            self.send({"method": "exit"})
        except OSError:  # pragma: no cover - the server is already gone
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.process.kill()
            self.process.wait()
        self.watchdog.cancel()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


def test_ast_grep_language_server(tmp_path: Path):
    body = block(INTEGRATIONS, "sh", "ast-grep lsp -c")
    assert body.strip() == 'ast-grep lsp -c "$(flake8-celery-pickle --print-pack-path)"'
    pack = run([tool("flake8-celery-pickle"), "--print-pack-path"], ROOT)
    assert pack.returncode == 0, pack.stderr
    server = LanguageServer([tool("ast-grep"), "lsp", "-c", pack.stdout.strip()], tmp_path)
    try:
        server.send(
            {
                "id": 1,
                "method": "initialize",
                "params": {
                    "processId": None,
                    "rootUri": tmp_path.as_uri(),
                    "capabilities": {},
                    "workspaceFolders": [{"uri": tmp_path.as_uri(), "name": "project"}],
                },
            }
        )
        assert "capabilities" in server.wait_for_response(1)["result"]
        server.send({"method": "initialized", "params": {}})
        documents = {
            "docker-compose.yml": "services:\n  worker:\n    environment:\n"
            "      CELERY_TASK_SERIALIZER: pickle\n",
            ".env": "CELERY_ACCEPT_CONTENT=json,pickle\n",
        }
        found = {}
        for name, text in documents.items():
            path = tmp_path / name
            path.write_text(text)
            server.send(
                {
                    "method": "textDocument/didOpen",
                    "params": {
                        "textDocument": {
                            "uri": path.as_uri(),
                            "languageId": "plaintext",
                            "version": 1,
                            "text": text,
                        }
                    },
                }
            )
            message = server.wait_for("textDocument/publishDiagnostics")
            assert message["params"]["uri"] == path.as_uri()
            found[name] = [
                (d["code"], d["range"]["start"]["line"], d["codeDescription"]["href"])
                for d in message["params"]["diagnostics"]
            ]
    finally:
        server.close()
    assert found == {
        "docker-compose.yml": [("cpk001-yaml", 3, BY_CODE["CPK001"].url)],
        ".env": [("cpk002-bash", 0, BY_CODE["CPK002"].url)],
    }


# --- pre-commit snippets -------------------------------------------------------------------------


def test_precommit_snippets_name_real_hooks():
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    ids = {hook["id"] for hook in manifest}
    ours = yaml.safe_load(block(INTEGRATIONS, "yaml", "id: celery-pickle-config"))
    [repo] = ours["repos"]
    assert [hook["id"] for hook in repo["hooks"]] == ["celery-pickle", "celery-pickle-config"]
    assert {hook["id"] for hook in repo["hooks"]} <= ids
    recipe = yaml.safe_load(block(INTEGRATIONS, "yaml", "repo: https://github.com/PyCQA/flake8"))
    [flake8_repo] = recipe["repos"]
    [hook] = flake8_repo["hooks"]
    assert hook["id"] == "flake8"
    assert hook["additional_dependencies"] == [f"flake8-celery-pickle=={VERSION}"]
    assert repo["rev"] == f"v{VERSION}"
