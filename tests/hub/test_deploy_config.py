"""The hub's settings file and the configuration generated from it (no hub, no root needed).

The nbgrader names switched off for students are checked against the installed
nbgrader, and the instructor's config is loaded by the real traitlets loader, so
a renamed extension or a config that stops loading the course's grading
settings fails here, before the end-to-end test.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

from .conftest import DEPLOY, REPO

import course_hub  # noqa: E402  (deploy/jupyterhub is put on sys.path by conftest)
from course_hub import SettingsError, parse_settings

VALID = """
[course]
id = "itil-spring"
folder = "itil"
[people]
instructors_group = "teachers"
students_group = "learners"
instructors = ["alice"]
students = ["bob", "carol"]
[hub]
ip = "127.0.0.1"
port = 9000
hub_port = 9001
proxy_api_port = 9002
data_dir = "/srv/hub"
[paths]
exchange = "/srv/exchange"
venv = "/opt/venv"
proxy = "/opt/proxy"
config = "/etc/course"
"""


def test_the_shipped_settings_files_load() -> None:
    real = course_hub.load_settings(DEPLOY / "settings.toml")
    assert (real.course_id, real.instructors_group, real.students_group) == ("svc-value-chain", "svc-instructors", "svc-students")
    assert real.exchange == Path("/srv/nbgrader/exchange")
    demo = course_hub.load_settings(DEPLOY / "demo.toml")
    assert len(demo.instructors) == 1 and len(demo.students) == 3
    assert demo.hub_db_url == "sqlite:////srv/svc-course-demo/hub/jupyterhub.sqlite"


def test_optional_settings_default_to_empty() -> None:
    s = parse_settings(VALID)
    assert (s.gradebook_url, s.db_url, s.admins) == ("", "", ())
    assert s.url == "http://127.0.0.1:9000"
    assert s.course_root("/home/alice") == Path("/home/alice/itil")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('folder = "itil"', ""), "[course] folder is missing"),
        (("port = 9000", 'port = "9000"'), "[hub] port must be a whole number"),
        (("port = 9000", "port = 9001"), "three different ports"),
        (("port = 9000", "port = 70000"), "[hub] port must be a port number"),
        (('venv = "/opt/venv"', 'venv = "opt/venv"'), "[paths] venv must be an absolute path"),
        (('students = ["bob", "carol"]', 'students = ["bob", "alice"]'), "alice listed both as instructor and as student"),
        (('students = ["bob", "carol"]', 'students = ["Bob Smith"]'), "'Bob Smith' is not a valid system user name"),
        (('id = "itil-spring"', 'id = "itil+spring"'), "[course] id"),
        (('students_group = "learners"', 'students_group = "teachers"'), "must differ"),
        (('ip = "127.0.0.1"', 'ip = "127.0.0.1"\nwebsite = "x"'), "[hub] website is not a setting"),
        (("[paths]", "[path]"), "unknown section [path]"),
        (("[course]", "[course"), "not valid TOML"),
    ],
)
def test_bad_settings_name_the_file_and_the_field(edit: tuple[str, str], message: str) -> None:
    text = VALID.replace(*edit)
    assert text != VALID
    with pytest.raises(SettingsError) as err:
        parse_settings(text, "/etc/hub/settings.toml")
    assert str(err.value).startswith("/etc/hub/settings.toml: ")
    assert message in str(err.value)


def test_port_override() -> None:
    s = parse_settings(VALID)
    assert course_hub.with_port(s, "9100").port == 9100
    assert course_hub.with_port(s, None) is s
    with pytest.raises(SettingsError):
        course_hub.with_port(s, 9001)  # the hub's own API port


def test_roles_by_group_instructors_first() -> None:
    s = parse_settings(VALID)
    assert course_hub.role_of(s, {"learners", "teachers"}) == "instructors"
    assert course_hub.role_of(s, {"learners", "users"}) == "students"
    assert course_hub.role_of(s, {"users"}) is None


def test_each_role_reads_its_own_config_folder_before_the_common_one() -> None:
    s = parse_settings(VALID)
    env = course_hub.spawner_environment(s, "students")
    assert env["JUPYTER_CONFIG_PATH"] == "/etc/course/students:/etc/course/common"
    assert env["PATH"].startswith("/opt/venv/bin:")
    files = course_hub.config_files(s)
    common = files[Path("/etc/course/common/nbgrader_config.py")]
    assert "c.CourseDirectory.course_id = 'itil-spring'" in common
    assert "c.Exchange.root = '/srv/exchange'" in common


def test_what_students_lose_exists_in_the_installed_nbgrader() -> None:
    server = course_hub.student_server_config()["ServerApp"]["jpserver_extensions"]
    assert server == {"nbgrader.server_extensions.formgrader": False, "nbgrader.server_extensions.course_list": False}
    for module in server:
        assert hasattr(importlib.import_module(module), "load_jupyter_server_extension")
    # the Assignments tab and Validate stay
    enabled = json.loads((Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "nbgrader.json").read_text())
    kept = set(enabled["ServerApp"]["jpserver_extensions"]) - set(server)
    assert kept == {"nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.validate_assignment"}
    import nbgrader

    static = Path(nbgrader.__file__).parent / "labextension" / "static"
    bundle = "".join(p.read_text() for p in static.glob("*.js"))
    plugins = course_hub.student_page_config()["disabledExtensions"]
    assert set(plugins) == {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment"}
    for plugin in [*plugins, "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment"]:
        assert f'"{plugin}"' in bundle, f"nbgrader's lab extension has no plugin {plugin}"


def _load_nbgrader_config(path: Path):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(path.name, str(path.parent)).load_config()


def test_instructor_config_loads_the_course_grading_and_keeps_hidden_tests_out_of_feedback(tmp_path) -> None:
    s = parse_settings(VALID)
    home = tmp_path / "alice"
    root = s.course_root(home)
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(
        course_hub.course_nbgrader_config((REPO / "nbgrader_config.py").read_text(), s)
    )
    own = home / ".jupyter" / "nbgrader_config.py"
    own.parent.mkdir()
    own.write_text(course_hub.instructor_nbgrader_config(s, home))
    c = _load_nbgrader_config(own)
    assert c.CourseDirectory.root == str(root)
    assert c.CourseDirectory.course_id == "itil-spring"  # the hub's id, not the repository's
    assert c.Exchange.root == "/srv/exchange"
    names = [p.__name__ for p in c.Autograde.autograde_preprocessors]
    assert "SandboxedExecute" in names and "TrustedGrade" in names
    # feedback without hidden tests or keys: the course's own step, loaded with the course's settings
    assert [p.__name__ for p in c.GenerateFeedback.preprocessors] == ["GetGrades", "FeedbackCells", "CSSHTMLHeaderPreprocessor"]
    # the course folder's own config, read last by `nbgrader` run there, also carries the hub's id
    course = _load_nbgrader_config(root / "nbgrader_config.py")
    assert course.CourseDirectory.course_id == "itil-spring"
