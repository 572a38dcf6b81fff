"""The workflow through a real single-node SLURM cluster, brought up on localhost by the test.

The cluster lives in a temporary directory: its own munge key and socket, a slurm.conf
passed through SLURM_CONF, free ports, logs and state. Nothing under /etc is touched.
One file outside it: the executor's job step strips SLURM_* variables, SLURM_CONF
included, before the `srun` it runs inside each job, so that srun finds the configuration
only at a standard place. The test links /run/slurm/conf/slurm.conf (where SLURM clients
look on "configless" nodes; /run is volatile) to its slurm.conf and removes it afterwards.
`make slurm-deps` installs the Debian packages (slurm-wlm, munge).
"""

import fcntl
import getpass
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from exomir.devtools.runs import REPO, exrnaqc_rows, job_stats, run_snakemake

SLURM_PROGRAMS = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel")
# Upper bound for the whole SLURM run; it takes about a minute on a 2-core machine.
RUN_TIMEOUT_SECONDS = 600
# The node the profile's per_sample groups are sized for (workflow/profiles/slurm).
NODE_CPUS = 2
NODE_MEMORY_MB = 16000


def find_program(name):
    # Daemons live in /usr/sbin, which is not on every user's PATH.
    found = shutil.which(name) or Path("/usr/sbin", name)
    return str(found) if Path(found).is_file() else None


MISSING = [name for name in SLURM_PROGRAMS if find_program(name) is None]
# The configuration SLURM clients find on a node when SLURM_CONF is unset and /etc has none.
NODE_CONF_LINK = Path("/run/slurm/conf/slurm.conf")
# Test clusters on one machine take turns: they would share that link.
MACHINE_LOCK = Path("/run/lock/exomir-slurm-test.lock")
pytestmark = [
    pytest.mark.skipif(
        bool(MISSING), reason=f"SLURM is not installed (missing {', '.join(MISSING)}); `make slurm-deps` installs it"
    ),
    pytest.mark.skipif(os.geteuid() != 0, reason="slurmd must run as root to start jobs"),
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def slurm_conf(directory, munge_socket):
    host = socket.gethostname()
    user = getpass.getuser()
    return f"""\
# Single-node SLURM for tests/test_slurm.py (no cgroups, no accounting database).
ClusterName=exomirtest
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser={user}
SlurmdUser={user}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={munge_socket}
StateSaveLocation={directory}/state
SlurmdSpoolDir={directory}/spool
SlurmctldPidFile={directory}/slurmctld.pid
SlurmdPidFile={directory}/slurmd.pid
SlurmctldLogFile={directory}/slurmctld.log
SlurmdLogFile={directory}/slurmd.log
PlugStackConfig={directory}/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
# Finished jobs stay visible to squeue, which the profile uses for status queries.
MinJobAge=600
# The node is declared as the 2-CPU node the profile is sized for, whatever this machine has.
SlurmdParameters=config_overrides
NodeName={host} NodeAddr=127.0.0.1 CPUs={NODE_CPUS} RealMemory={NODE_MEMORY_MB} State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


def wait_until(condition, timeout, what, logs):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    details = "\n".join(f"--- {log}\n{log.read_text()[-3000:]}" for log in logs if log.exists())
    raise RuntimeError(f"{what} not ready after {timeout} s\n{details}")


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def slurm_cluster():
    """Start munged, slurmctld and slurmd; yield the environment that points clients at them."""
    with open(MACHINE_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield from single_node_cluster()


def single_node_cluster():
    for other in (Path("/etc/slurm/slurm.conf"), NODE_CONF_LINK):
        # srun inside a job would read this file instead and talk to another cluster.
        assert not other.exists(), f"{other} exists: this machine already has a SLURM configuration"
    started = time.monotonic()
    # munged wants every directory above its socket searchable by all, so not under pytest's tmp.
    directory = Path(tempfile.mkdtemp(prefix="exomir-slurm-"))
    directory.chmod(0o755)
    (directory / "munge").mkdir(mode=0o700)
    (directory / "plugstack.conf").write_text("")
    munge_socket = directory / "munge.socket"
    conf = directory / "slurm.conf"
    conf.write_text(slurm_conf(directory, munge_socket))
    env = dict(os.environ, SLURM_CONF=str(conf), PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    logs = [directory / "munge" / "munged.log", directory / "slurmctld.log", directory / "slurmd.log"]
    created_run_dirs = [path for path in (NODE_CONF_LINK.parent.parent, NODE_CONF_LINK.parent) if not path.exists()]
    daemons = []
    try:
        NODE_CONF_LINK.parent.mkdir(parents=True, exist_ok=True)
        NODE_CONF_LINK.symlink_to(conf)
        key = directory / "munge" / "munge.key"
        subprocess.run([find_program("mungekey"), "--create", f"--keyfile={key}"], check=True)
        daemon_commands = [
            [
                find_program("munged"),
                "--foreground",
                f"--socket={munge_socket}",
                f"--key-file={key}",
                f"--log-file={logs[0]}",
                f"--pid-file={directory / 'munge' / 'munged.pid'}",
                f"--seed-file={directory / 'munge' / 'munged.seed'}",
            ],
            [find_program("slurmctld"), "-D", "-c", "-f", str(conf)],
            [find_program("slurmd"), "-D", "-f", str(conf), "-N", socket.gethostname()],
        ]
        for command in daemon_commands:
            daemons.append(
                subprocess.Popen(
                    command, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            )
            if len(daemons) == 1:
                wait_until(munge_socket.exists, 15, "munged", logs)

        def node_idle():
            state = subprocess.run(["sinfo", "--noheader", "--format=%T"], env=env, capture_output=True, text=True)
            return state.stdout.strip() == "idle"

        wait_until(node_idle, 60, "SLURM node", logs)
        print(f"SLURM cluster up in {time.monotonic() - started:.1f} s")
        yield env
    finally:
        # Jobs first (a failed run may leave some), then every daemon this fixture started.
        if daemons and daemons[-1].poll() is None:
            subprocess.run(["scancel", "--user", getpass.getuser()], env=env, capture_output=True)
        for process in reversed(daemons):
            stop(process)
        NODE_CONF_LINK.unlink(missing_ok=True)
        for path in reversed(created_run_dirs):
            path.rmdir()
        shutil.rmtree(directory, ignore_errors=True)


def slurm_job_table(env):
    """squeue's record of every job the cluster has seen: job id -> (comment, state, CPUs)."""
    listing = subprocess.run(
        ["squeue", "--states=all", "--noheader", "--format=%i|%k|%T|%C"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split("|") for line in listing.splitlines() if line]
    return {job_id: (comment, state, int(cpus)) for job_id, comment, state, cpus in rows}


@pytest.fixture(scope="module")
def slurm_run(slurm_cluster, exrnaqc_run, tmp_path_factory):
    """The local exRNAQC run's configuration again, through `--workflow-profile workflow/profiles/slurm`.

    Returns the run directory, the jobs Snakemake planned (its dry-run job table) and
    squeue's record of the jobs.
    """
    workdir = tmp_path_factory.mktemp("slurm_run")
    config = exrnaqc_run / "config.yaml"
    dry_run = run_snakemake(workdir, "--configfile", config, "--dry-run", "--quiet", "rules")
    planned = job_stats(dry_run.stdout + dry_run.stderr)
    command = [
        # SIGINT makes the SLURM executor cancel its jobs and exit; SIGTERM does not stop it.
        "timeout",
        "-s",
        "INT",
        "-k",
        "60",
        str(RUN_TIMEOUT_SECONDS),
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        REPO / "Snakefile",
        "--directory",
        workdir,
        "--configfile",
        config,
        "--workflow-profile",
        REPO / "workflow" / "profiles" / "slurm",
        # Test-only: poll sooner than the profile does, and keep each job's SLURM log.
        "--slurm-init-seconds-before-status-checks",
        "5",
        "--slurm-keep-successful-logs",
    ]
    started = time.monotonic()
    result = subprocess.run(list(map(str, command)), cwd=workdir, env=slurm_cluster, capture_output=True, text=True)
    print(f"SLURM workflow run took {time.monotonic() - started:.1f} s")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-8000:]
    return workdir, planned, slurm_job_table(slurm_cluster)


def slurm_logs(workdir):
    """The plugin's job logs as (rule_<rule> or group_<group>, SLURM job id, log path).

    Group logs sit in group_<group>_<its rules>/; that suffix is dropped.
    """
    root = workdir / ".snakemake" / "slurm_logs"
    logs = []
    for log in sorted(root.rglob("*.log")):
        kind = log.relative_to(root).parts[0]
        logs.append(("group_per_sample" if kind.startswith("group_per_sample_") else kind, log.stem, log))
    return logs


def jobs_in_group_logs(logs):
    """(rule, sample) of every job a group job's log shows starting."""
    jobs = set()
    for log in logs:
        rule = None
        for line in log.read_text().splitlines():
            line = line.strip()
            if line.startswith("rule ") and line.endswith(":"):
                rule = line[len("rule ") : -1]
            elif line.startswith("wildcards: sample=") and rule:
                jobs.add((rule, line.removeprefix("wildcards: sample=")))
    return jobs


def test_every_planned_job_ran_as_a_slurm_job(slurm_run):
    workdir, planned, squeue = slurm_run
    logs = slurm_logs(workdir)
    assert logs, "no SLURM job logs"
    for kind, job_id, _ in logs:
        comment, state, _ = squeue[job_id]
        assert state == "COMPLETED", (kind, job_id, state)
        if kind.startswith("rule_"):
            assert comment.startswith(kind), (kind, comment)
    rule_jobs = {}
    for kind, _, _ in logs:
        rule_jobs[kind] = rule_jobs.get(kind, 0) + 1
    grouped = jobs_in_group_logs(log for kind, _, log in logs if kind == "group_per_sample")
    for rule, count in planned.items():
        if rule in ("all", "default"):  # target rules run no command
            continue
        ran = rule_jobs.get(f"rule_{rule}", 0) + sum(1 for grouped_rule, _ in grouped if grouped_rule == rule)
        assert ran == count, f"rule {rule}: planned {count} jobs, SLURM ran {ran}"


def test_per_sample_steps_ran_two_samples_per_slurm_job(slurm_run):
    workdir, planned, squeue = slurm_run
    groups = [(job_id, log) for kind, job_id, log in slurm_logs(workdir) if kind == "group_per_sample"]
    samples = {row[0] for row in exrnaqc_rows()}
    assert len(groups) == -(-len(samples) // 2)
    grouped = jobs_in_group_logs(log for _, log in groups)
    assert {sample for grouped_rule, sample in grouped if grouped_rule == "quantify"} == samples
    # Single-threaded jobs side by side: a full group asks for the whole 2-CPU node, no more.
    assert sorted(squeue[job_id][2] for job_id, _ in groups) == [1, NODE_CPUS]


@pytest.mark.parametrize(
    "result",
    [
        "counts/mirna_counts.tsv",
        "counts/mirna_cpm.tsv",
        "scores/signature_scores.tsv",
        "report/tables/read_funnel_mqc.tsv",
    ],
)
def test_slurm_results_equal_the_local_run(slurm_run, exrnaqc_run, result):
    workdir, _, _ = slurm_run
    assert (workdir / "results" / result).read_bytes() == (exrnaqc_run / "results" / result).read_bytes()
