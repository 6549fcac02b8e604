"""JupyterHub configuration for one svc-course class.

Start the hub as root with ``hubctl.py start`` (or ``jupyterhub -f`` this file, with
``SVC_HUB_SETTINGS`` naming the settings file; default: ``settings.toml`` beside it).
Every choice an instructor makes lives in that settings file; this file turns it
into JupyterHub's settings:

* PAM logins, allowed by Unix group (instructors' and students' groups);
* each user's JupyterLab started as that system user from the shared course
  environment (LocalProcessSpawner, ``jupyterhub-singleuser``, ``/lab``);
* the user's role (by group) picks a Jupyter config folder through the
  spawner's environment: students get the Assignments tab and Validate,
  instructors also formgrader and create-assignment;
* configurable-http-proxy from the npm registry; the hub's database and cookie
  secret in a folder only root can read.
"""

import grp
import os
import pwd
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from course_hub import load_settings, role_of, spawner_environment, with_port  # noqa: E402

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

settings = load_settings(os.environ.get("SVC_HUB_SETTINGS") or HERE / "settings.toml")
settings = with_port(settings, os.environ.get("SVC_HUB_PORT"))  # `hubctl.py start --port N`

# --- network: the proxy listens on ip:port; the hub and the proxy's API on loopback
c.JupyterHub.ip = settings.ip
c.JupyterHub.port = settings.port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings.hub_port
c.ConfigurableHTTPProxy.command = [str(settings.proxy_command)]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"

# --- the hub's own state, readable by root only
c.JupyterHub.db_url = settings.hub_db_url
c.JupyterHub.cookie_secret_file = str(settings.data_dir / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(settings.data_dir / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server
c.JupyterHub.cleanup_proxy = True

# --- who may log in: system accounts (PAM) in the course's two groups
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.LocalAuthenticator.allowed_groups = {settings.instructors_group, settings.students_group}
c.Authenticator.admin_users = set(settings.admins)

# --- each user's JupyterLab, as that user, from the shared course environment
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [str(settings.venv / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120


def user_groups(name: str) -> set[str]:
    """Names of the Unix groups of system user ``name`` (primary group included)."""
    entry = pwd.getpwnam(name)
    return {grp.getgrgid(gid).gr_name for gid in os.getgrouplist(name, entry.pw_gid)}


def choose_role(spawner) -> None:
    """pre_spawn_hook: give the user's server the config folders of their role."""
    name = spawner.user.name
    role = role_of(settings, user_groups(name))
    if role is None:  # allowed_groups keeps them out; refuse anyway if membership changed since
        raise PermissionError(f"{name} is in neither {settings.instructors_group} nor {settings.students_group}")
    spawner.environment = {**spawner.environment, **spawner_environment(settings, role)}
    spawner.log.info("starting %s's server as one of the %s", name, role)


c.Spawner.pre_spawn_hook = choose_role
