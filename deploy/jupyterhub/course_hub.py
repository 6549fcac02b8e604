"""Settings and generated configuration of a JupyterHub that runs one course.

Pure logic: read and check the settings file an instructor edits
(``settings.toml``), and build the text of every configuration file the hub
needs. Nothing here touches the machine; :mod:`hubctl` writes the files, creates
folders and users, and starts the hub; ``jupyterhub_config.py`` reads the same
settings. Python standard library only (the hub's setup runs before any venv exists).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

# nbgrader 0.9 ships four server extensions and one lab extension with six plugins.
# Students keep the Assignments tab (assignment_list) and Validate; everything that
# edits or grades a course is turned off for them.
STUDENT_OFF_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
)
STUDENT_OFF_LAB_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:create-assignment",
)
ROLES = ("instructors", "students")
MANAGED_MARK = "# managed by deploy/jupyterhub/hubctl.py"

_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
_COURSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class SettingsError(ValueError):
    """A settings file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class HubSettings:
    """Everything an instructor chooses for the hub of one course (see ``settings.toml``)."""

    source: Path
    course_id: str
    course_folder: str
    gradebook_url: str
    instructors_group: str
    students_group: str
    instructors: tuple[str, ...]
    students: tuple[str, ...]
    admins: tuple[str, ...]
    ip: str
    port: int
    hub_port: int
    proxy_api_port: int
    data_dir: Path
    db_url: str
    exchange: Path
    venv: Path
    proxy_prefix: Path
    config_dir: Path

    @property
    def url(self) -> str:
        """The address users open in their browser."""
        return f"http://{self.ip}:{self.port}"

    @property
    def hub_db_url(self) -> str:
        """JupyterHub's database: the setting, or a sqlite file in the hub's data folder."""
        return self.db_url or f"sqlite:///{self.data_dir / 'jupyterhub.sqlite'}"

    @property
    def proxy_command(self) -> Path:
        """configurable-http-proxy as installed by ``npm install --prefix PROXY -g``."""
        return self.proxy_prefix / "bin" / "configurable-http-proxy"

    def course_root(self, home: str | Path) -> Path:
        """The instructor's course folder (an nbgrader course directory) inside ``home``."""
        return Path(home) / self.course_folder

    def role_config_dir(self, role: str) -> Path:
        """The Jupyter config folder of a role (``instructors`` or ``students``)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
        return self.config_dir / role


_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "course": {"id": str, "folder": str, "gradebook_url": str},
    "people": {
        "instructors_group": str,
        "students_group": str,
        "instructors": list,
        "students": list,
        "admins": list,
    },
    "hub": {"ip": str, "port": int, "hub_port": int, "proxy_api_port": int, "data_dir": str, "db_url": str},
    "paths": {"exchange": str, "venv": str, "proxy": str, "config": str},
}
_OPTIONAL = {("course", "gradebook_url"), ("people", "admins"), ("hub", "db_url")}


def parse_settings(text: str, source: str | Path = "settings.toml") -> HubSettings:
    """Parse and check the TOML text of a settings file.

    Raises :class:`SettingsError` naming ``source`` and the offending field
    (``[section] key``) for unknown, missing or ill-typed values.
    """
    where = str(source)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{where}: not valid TOML ({exc})") from exc
    for section in raw:
        if section not in _SCHEMA:
            raise SettingsError(f"{where}: unknown section [{section}]; expected {', '.join(f'[{s}]' for s in _SCHEMA)}")
    values: dict[tuple[str, str], Any] = {}
    for section, keys in _SCHEMA.items():
        table = raw.get(section, {})
        if not isinstance(table, dict):
            raise SettingsError(f"{where}: [{section}] must be a table")
        for key in table:
            if key not in keys:
                raise SettingsError(f"{where}: [{section}] {key} is not a setting; expected one of {', '.join(keys)}")
        for key, kind in keys.items():
            if key not in table:
                if (section, key) in _OPTIONAL:
                    values[section, key] = [] if kind is list else ""
                    continue
                raise SettingsError(f"{where}: [{section}] {key} is missing")
            value = table[key]
            if kind is int and (type(value) is not int):
                raise SettingsError(f"{where}: [{section}] {key} must be a whole number, got {value!r}")
            if kind is not int and not isinstance(value, kind):
                raise SettingsError(f"{where}: [{section}] {key} must be a {kind.__name__}, got {value!r}")
            values[section, key] = value

    def names(section: str, key: str) -> tuple[str, ...]:
        out = values[section, key]
        for item in out:
            if not isinstance(item, str) or not _NAME.match(item):
                raise SettingsError(
                    f"{where}: [{section}] {key}: {item!r} is not a valid system user name "
                    "(lower case letters, digits, '-' and '_', at most 32 characters)"
                )
        return tuple(out)

    def absolute(section: str, key: str) -> Path:
        value = values[section, key]
        if not PurePosixPath(value).is_absolute():
            raise SettingsError(f"{where}: [{section}] {key} must be an absolute path, got {value!r}")
        return Path(value)

    def port(key: str) -> int:
        value = values["hub", key]
        if not 1 <= value <= 65535:
            raise SettingsError(f"{where}: [hub] {key} must be a port number (1-65535), got {value}")
        return value

    course_id = values["course", "id"]
    if not _COURSE_ID.match(course_id) or "+" in course_id:
        raise SettingsError(f"{where}: [course] id {course_id!r} must be letters, digits, '.', '-' or '_'")
    folder = values["course", "folder"]
    if not folder or "/" in folder or folder in (".", ".."):
        raise SettingsError(f"{where}: [course] folder must be one folder name inside the instructor's home, got {folder!r}")
    groups = {}
    for key in ("instructors_group", "students_group"):
        group = values["people", key]
        if not _NAME.match(group):
            raise SettingsError(f"{where}: [people] {key}: {group!r} is not a valid group name")
        groups[key] = group
    if groups["instructors_group"] == groups["students_group"]:
        raise SettingsError(f"{where}: [people] instructors_group and students_group must differ")
    instructors, students = names("people", "instructors"), names("people", "students")
    both = sorted(set(instructors) & set(students))
    if both:
        raise SettingsError(f"{where}: [people] {', '.join(both)} listed both as instructor and as student")
    ports = {k: port(k) for k in ("port", "hub_port", "proxy_api_port")}
    if len(set(ports.values())) != 3:
        raise SettingsError(f"{where}: [hub] port, hub_port and proxy_api_port must be three different ports")
    paths = {k: absolute("paths", k) for k in ("exchange", "venv", "proxy", "config")}
    return HubSettings(
        source=Path(source),
        course_id=course_id,
        course_folder=folder,
        gradebook_url=values["course", "gradebook_url"],
        instructors_group=groups["instructors_group"],
        students_group=groups["students_group"],
        instructors=instructors,
        students=students,
        admins=names("people", "admins"),
        ip=values["hub", "ip"],
        port=ports["port"],
        hub_port=ports["hub_port"],
        proxy_api_port=ports["proxy_api_port"],
        data_dir=absolute("hub", "data_dir"),
        db_url=values["hub", "db_url"],
        exchange=paths["exchange"],
        venv=paths["venv"],
        proxy_prefix=paths["proxy"],
        config_dir=paths["config"],
    )


def load_settings(path: str | Path) -> HubSettings:
    """Read and check a settings file (see :func:`parse_settings`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the settings file ({exc.strerror})") from exc
    return parse_settings(text, path)


def with_port(settings: HubSettings, port: int | str | None) -> HubSettings:
    """The settings with another public port (``None`` or empty: unchanged)."""
    if port in (None, ""):
        return settings
    try:
        number = int(port)
    except ValueError:
        raise SettingsError(f"the hub's port must be a whole number, got {port!r}") from None
    if not 1 <= number <= 65535 or number in (settings.hub_port, settings.proxy_api_port):
        raise SettingsError(f"port {number} cannot be the hub's port (1-65535, not hub_port or proxy_api_port)")
    return replace(settings, port=number)


def role_of(settings: HubSettings, groups: set[str]) -> str | None:
    """The role of a user who belongs to ``groups``: instructors win over students; None for neither."""
    if settings.instructors_group in groups:
        return "instructors"
    if settings.students_group in groups:
        return "students"
    return None


def spawner_environment(settings: HubSettings, role: str) -> dict[str, str]:
    """Environment of a user's server: the shared venv first on PATH and the role's config folders.

    ``JUPYTER_CONFIG_PATH`` puts the role's folder before the common one, and both
    before the venv's own ``etc/jupyter`` (which enables every nbgrader extension).
    """
    return {
        "PATH": f"{settings.venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "JUPYTER_CONFIG_PATH": f"{settings.role_config_dir(role)}:{settings.config_dir / 'common'}",
    }


def common_nbgrader_config(settings: HubSettings) -> str:
    """nbgrader settings every user loads: the course id and the shared exchange."""
    return "\n".join(
        [
            '"""nbgrader settings shared by everyone on this hub (students and instructors)."""',
            MANAGED_MARK,
            "c = get_config()  # noqa: F821",
            f"c.CourseDirectory.course_id = {settings.course_id!r}",
            f"c.Exchange.root = {str(settings.exchange)!r}",
            "# a submission that lacks one of the assignment's notebooks (renamed, deleted) is refused",
            "# at Submit with the list of expected and found notebooks, instead of being graded as blank",
            "c.ExchangeSubmit.strict = True",
            "",
        ]
    )


def instructor_nbgrader_config(settings: HubSettings, home: str | Path) -> str:
    """The instructor's ``~/.jupyter/nbgrader_config.py``.

    Formgrader runs in the instructor's server, whose working folder is the home
    folder, so it would not read the course folder's ``nbgrader_config.py`` by
    itself: this file loads it explicitly. Without that, formgrader's Autograde
    button would run students' code with plain nbgrader, outside the sandbox.
    """
    root = settings.course_root(home)
    lines = [
        '"""nbgrader settings of this instructor: the course folder and its grading settings."""',
        MANAGED_MARK,
        "import os",
        "c = get_config()  # noqa: F821",
        f"COURSE_ROOT = {str(root)!r}",
        "# the course's own settings: sandboxed, trusted autograding (course/grading/config.py)",
        "load_subconfig(os.path.join(COURSE_ROOT, 'nbgrader_config.py'))  # noqa: F821",
        "c.CourseDirectory.root = COURSE_ROOT",
        f"c.CourseDirectory.course_id = {settings.course_id!r}",
        f"c.Exchange.root = {str(settings.exchange)!r}",
    ]
    if settings.gradebook_url:
        lines.append(f"c.CourseDirectory.db_url = {settings.gradebook_url!r}")
    lines.append("")  # feedback without hidden tests and keys comes with the course's settings (course.grading.feedback)
    return "\n".join(lines)


def course_nbgrader_config(repo_config: str, settings: HubSettings) -> str:
    """The course folder's ``nbgrader_config.py``: the repository's, with this hub's course id.

    nbgrader reads the current folder's config last, so the course id set here must
    be the hub's (students see the hub's id in their Assignments tab).
    """
    return repo_config.rstrip("\n") + "\n\n" + "\n".join(
        [
            MANAGED_MARK,
            f"c.CourseDirectory.course_id = {settings.course_id!r}",
            f"c.Exchange.root = {str(settings.exchange)!r}",
            "",
        ]
    )


def student_server_config() -> dict[str, Any]:
    """``jupyter_server_config.json`` for students: formgrader and the course list off."""
    return {"ServerApp": {"jpserver_extensions": {name: False for name in STUDENT_OFF_SERVER_EXTENSIONS}}}


def student_page_config() -> dict[str, Any]:
    """``labconfig/page_config.json`` for students: nbgrader's instructor plugins off."""
    return {"disabledExtensions": {name: True for name in STUDENT_OFF_LAB_PLUGINS}}


def lab_overrides() -> dict[str, Any]:
    """JupyterLab setting overrides for everyone: no news pop-up (the hub may be offline)."""
    return {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def config_files(settings: HubSettings) -> dict[Path, str]:
    """Every file of the shared Jupyter config folder, by path, with its text."""
    cfg = settings.config_dir
    return {
        cfg / "common" / "nbgrader_config.py": common_nbgrader_config(settings),
        cfg / "students" / "jupyter_server_config.json": json.dumps(student_server_config(), indent=2) + "\n",
        cfg / "students" / "labconfig" / "page_config.json": json.dumps(student_page_config(), indent=2) + "\n",
        cfg / "instructors" / "README": (
            "Jupyter config folder of the course's instructors (formgrader and create-assignment on).\n"
            "Each instructor's own ~/.jupyter/nbgrader_config.py points at their course folder.\n"
        ),
    }
