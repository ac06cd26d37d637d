"""Nothing lost under faults (issue 14): signals, runs that died, two runs at once, full disks, unwritable places.

Signals are sent to real child processes in the middle of writing; full disks
are real (a 16 MB tmpfs) where this machine lets the tests mount one, and
injected at the writer's system calls otherwise — both variants assert the
same outcome, and which one ran is in the test's name. Read-only places are
real (a read-only mount, or root without CAP_DAC_OVERRIDE, or plain
permissions for a normal user) where possible, injected otherwise.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

import simsam
from simsam.cli import main
from simsam.util import folders

from .helpers import DATA, ROOT, simsam_env

CONFIG = DATA / "engine.toml"
BIG = ["--draws", "3000000", "--chunk-draws", "20000", "--threads", "1"]


def start(*args, cwd=None, env=None, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "simsam.cli", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env or simsam_env(),
        **kw,
    )


def run(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simsam.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=env or simsam_env())  # fmt: skip


def leftovers(root: Path) -> list[str]:
    return [str(x.path) for x in folders.leftovers(root)] + [str(p) for p in Path(root).rglob(".*.lock")]


def wait_writing(parent: Path, name: str, proc, timeout: float = 60) -> Path:
    """The temporary folder of a run into ``parent/name``, once results.nc has some chunks in it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        for p in parent.glob(f".{name}.tmp-*"):
            f = p / "results.nc"
            if f.exists() and f.stat().st_size > 2_000_000:
                return p
        time.sleep(0.05)
    raise AssertionError("the run did not start writing")


@pytest.fixture
def earlier(tmp_path):
    """A finished run in tmp_path/out, and its bytes."""
    out = tmp_path / "out"
    assert main(["run", str(CONFIG), "--draws", "50", "--out", str(out), "--quiet"]) == 0
    return out, (out / "results.nc").read_bytes()


def processes_marked(mark: str) -> list[int]:
    """Processes (the run's Dask workers) whose environment carries ``mark``."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if mark.encode() in Path(f"/proc/{pid}/environ").read_bytes():
                    found.append(int(pid))
            except OSError:
                pass
    return found


# --- signals ----------------------------------------------------------------------------------------------------


def test_a_stop_signal_mid_run_of_states_keeps_the_earlier_results(earlier, tmp_path):
    """Ctrl-C while a --store states run writes its two files: nothing written, nothing left, the earlier run untouched."""
    out, before = earlier
    proc = start("run", CONFIG, *BIG, "--store", "states", "--out", out, "--quiet")
    wait_writing(tmp_path, "out", proc)
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 128 + signal.SIGINT, err
    assert err == f"stopped by SIGINT: nothing written to {out}; the earlier results there are untouched\n"
    assert (out / "results.nc").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and not leftovers(tmp_path)


STOPS = [
    ("SIGINT", None, False),
    ("SIGTERM", None, False),
    ("SIGHUP", None, False),
    # Ctrl-C in a terminal signals the whole process group, Dask workers too; `timeout` and SLURM signal the main process.
    ("SIGINT", "local:2", True),
    ("SIGTERM", "local:2", False),
]


@pytest.mark.parametrize("name, scheduler, group", STOPS, ids=[f"{n}{'-' + s if s else ''}{'-group' if g else ''}" for n, s, g in STOPS])
def test_a_stop_signal_mid_run_keeps_the_earlier_results(name, scheduler, group, earlier, tmp_path):
    out, before = earlier
    sig = getattr(signal, name)
    mark = f"SIMSAM_TEST_{uuid.uuid4().hex}"
    extra = ["--scheduler", scheduler] if scheduler else []
    proc = start("run", CONFIG, *BIG, *extra, "--out", out, "--quiet", env=simsam_env(**{mark: "1"}), start_new_session=True)
    wait_writing(tmp_path, "out", proc)
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 128 + sig, err
    assert err == f"stopped by {name}: nothing written to {out}; the earlier results there are untouched\n"
    assert (out / "results.nc").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and not leftovers(tmp_path)
    deadline = time.time() + 10
    while processes_marked(mark) and time.time() < deadline:
        time.sleep(0.2)
    assert not processes_marked(mark), "the Dask workers were stopped with the run"


def test_a_signal_that_was_ignored_stays_ignored(tmp_path):
    """nohup (SIGHUP ignored): simsam does not take it back, the run finishes."""
    out = tmp_path / "out"
    ignore = lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN)  # noqa: E731
    proc = start("run", CONFIG, "--draws", "100000", "--chunk-draws", "5000", "--out", out, "--quiet", preexec_fn=ignore)
    wait_writing(tmp_path, "out", proc)
    proc.send_signal(signal.SIGHUP)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 0, err
    assert (out / "results.nc").exists() and not leftovers(tmp_path)


def test_stop_signal_before_any_output(tmp_path):
    """Stopped while simulating in memory (a sensitivity): nothing was written, no folder appears."""
    out = tmp_path / "sens"
    proc = start("sensitivity", CONFIG, "--method", "prcc", "--n", "4000000", "--out", out, "--quiet")
    time.sleep(2.5)  # loading (1.5 s on a quiet host), then simulating in memory
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1]
    # On a loaded host the signal may land before --out is known; both lines are true, and nothing is written.
    said = ("stopped by SIGTERM: nothing written\n", f"stopped by SIGTERM: nothing written ({out} was not created)\n")
    assert proc.returncode == 143 and err in said, err
    assert list(tmp_path.iterdir()) == []


# --- what a killed run leaves ---------------------------------------------------------------------------------------


def test_a_killed_runs_folder_is_recognised_and_removed(earlier, tmp_path):
    """SIGKILL (the OOM killer, a lost node): the temporary folder stays; the next run into the place removes it."""
    out, before = earlier
    proc = start("run", CONFIG, *BIG, "--out", out, "--quiet")
    tmp = wait_writing(tmp_path, "out", proc)
    proc.kill()
    proc.communicate(timeout=30)
    assert tmp.exists() and folders.is_unfinished(tmp)
    assert [x.path for x in folders.leftovers(tmp_path)] == [tmp]
    # Never results: the commands that read results refuse it.
    assert main(["report", str(tmp)]) == 2
    assert main(["decision", str(tmp)]) == 2
    assert main(["run", str(CONFIG), "--out", str(tmp)]) == 2
    # The next run into the same place removes it and says so.
    done = run("run", CONFIG, "--draws", "20", "--out", out)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"note: removed {tmp.name} (") and "left in" in done.stderr and "by an interrupted run" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_simsam_clean_removes_dead_runs_folders_only(tmp_path):
    results = tmp_path / "results"
    dead = start("run", CONFIG, *BIG, "--out", results / "a" / "run", "--quiet")
    dead_tmp = wait_writing(results / "a", "run", dead)
    dead.kill()
    dead.communicate(timeout=30)
    live = start("run", CONFIG, *BIG, "--out", results / "b", "--quiet")
    live_tmp = wait_writing(results, "b", live)
    try:
        listed = run("clean", results, "--dry-run")
        assert listed.returncode == 0 and f"would remove {dead_tmp}" in listed.stdout and dead_tmp.exists()
        cleaned = run("clean", results)
        assert cleaned.returncode == 0, cleaned.stderr
        assert f"removed {dead_tmp} (" in cleaned.stdout
        assert f"kept {live_tmp}: another simsam run (pid {live.pid} on " in cleaned.stdout
        assert not dead_tmp.exists() and live_tmp.exists()
    finally:
        live.terminate()
        live.communicate(timeout=60)
    assert not leftovers(tmp_path)
    assert run("clean", tmp_path / "nowhere").returncode == 2


def test_a_swapped_out_earlier_result_is_put_back(tmp_path):
    """Killed between moving the earlier folder aside and putting the new one in place (no atomic swap): nothing is lost."""
    out = tmp_path / "out"
    assert main(["run", str(CONFIG), "--draws", "20", "--out", str(out), "--quiet"]) == 0
    before = (out / "results.nc").read_bytes()
    old = tmp_path / ".out.old-0123abcd"
    os.rename(out, old)  # what a run killed at that moment leaves
    (tmp_path / ".out.tmp-zzzzzzzz").mkdir()
    assert main(["run", str(CONFIG), "--draws", "1e12", "--out", str(out)]) == 2  # refused: still nothing changes
    assert old.exists()
    with folders.claim(out) as removed:
        assert [x.kind for x in removed] == ["tmp"]
    assert (out / "results.nc").read_bytes() == before and not leftovers(tmp_path)


# --- two runs at once -------------------------------------------------------------------------------------------------


def test_two_runs_into_one_folder_one_wins(tmp_path):
    out = tmp_path / "out"
    a = start("run", CONFIG, "--draws", "200000", "--seed", "1", "--out", out, "--quiet")
    b = start("run", CONFIG, "--draws", "200000", "--seed", "2", "--out", out, "--quiet")
    (_, ea), (_, eb) = a.communicate(timeout=180), b.communicate(timeout=180)
    codes = sorted([(a.returncode, 1, ea), (b.returncode, 2, eb)])
    (win, seed, _), (lose, _, message) = codes
    assert (win, lose) == (0, 2), (ea, eb)
    assert message.startswith(f"error: --out {out}: another simsam run") and " is writing there; wait for it to finish" in message
    assert message.count("\n") == 1
    from simsam.results import ResultsFile

    with ResultsFile(out / "results.nc") as r:
        assert r.attrs["seed"] == seed and r.sizes["draw"] == 200000
    assert not leftovers(tmp_path)


def test_a_second_run_stops_at_once(tmp_path):
    out = tmp_path / "out"
    first = start("run", CONFIG, *BIG, "--out", out, "--quiet")
    wait_writing(tmp_path, "out", first)
    try:
        began = time.time()
        second = run("run", CONFIG, "--draws", "20", "--out", out)
        assert second.returncode == 2 and time.time() - began < 30
        assert f"another simsam run (pid {first.pid} on " in second.stderr and second.stderr.count("\n") == 1
        assert first.poll() is None, "the first run goes on"
    finally:
        first.terminate()
        first.communicate(timeout=60)
    assert not out.exists() and not leftovers(tmp_path)


# --- full disks and I/O errors -----------------------------------------------------------------------------------------


def tmpfs(folder: Path, options: str):
    """Mount a tmpfs at ``folder`` where the machine allows it; yield it, or None (the tests then inject the fault)."""
    folder.mkdir()
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True).returncode == 0
    yield folder if ok else None
    if ok:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs, or None (ENOSPC injected)."""
    yield from tmpfs(tmp_path / "disk", "size=16m")


def fill(folder: Path) -> None:
    with open(folder / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * (1 << 16))
                f.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


INJECT_FULL_DISK = """
import errno, os, sys
import simsam.results.netcdf as netcdf
import simsam.util.resources as resources
budget = [int(sys.argv[1])]
real = os.pwrite
def pwrite(fd, data, offset):  # a disk that fills after budget bytes
    n = len(memoryview(data).cast("B"))
    if budget[0] < n:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    budget[0] -= n
    return real(fd, data, offset)
netcdf.os.pwrite = pwrite
if sys.argv[2] == "hdf5":  # HDF5 itself meets the error: no reservation ahead of the write
    netcdf.reserve_space = lambda folder, n: None
else:
    real_reserve = resources.reserve_space
    def reserve(folder, n):
        if budget[0] < n:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))
    netcdf.reserve_space = reserve
from simsam.cli import main
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.parametrize("where", ["reserve", "hdf5"])
def test_a_disk_that_fills_mid_run(where, small_disk, earlier, tmp_path):
    _a_disk_that_fills_mid_run(where, small_disk, earlier, tmp_path, ())


def test_a_disk_that_fills_mid_run_of_states(small_disk, earlier, tmp_path):
    """--store states writes two files (results.nc and the amounts its summary reads): either may meet the full disk."""
    _a_disk_that_fills_mid_run("reserve", small_disk, earlier, tmp_path, ("--store", "states"))


def _a_disk_that_fills_mid_run(where, small_disk, earlier, tmp_path, options):
    """No segmentation fault, one line naming the folder and the cause, the earlier results untouched, nothing left."""
    if small_disk is not None:  # a real full disk
        out = small_disk / "out"
        assert main(["run", str(CONFIG), "--draws", "20", "--out", str(out), "--quiet"]) == 0
        before = (out / "results.nc").read_bytes()
        script = INJECT_FULL_DISK.replace("budget = [int(sys.argv[1])]", "budget = [1 << 62]")
        argv = ["run", str(CONFIG), "--draws", "8000", "--chunk-draws", "200", "--threads", "1", "--out", str(out), "--quiet", *options]
        proc = subprocess.Popen([sys.executable, "-c", script, "0", where, *argv], stderr=subprocess.PIPE, text=True, env=simsam_env())
        deadline = time.time() + 60
        while not list(small_disk.glob(".out.tmp-*/results.nc")) and time.time() < deadline:
            time.sleep(0.02)
        fill(small_disk)
        err = proc.communicate(timeout=120)[1]
        parent = small_disk
    else:  # injected: the writer's system calls fail once 3 MB are written
        out, before = earlier
        argv = ["run", str(CONFIG), "--draws", "8000", "--chunk-draws", "200", "--out", str(out), "--quiet", *options]
        proc = subprocess.run([sys.executable, "-c", INJECT_FULL_DISK, str(3 << 20), where, *argv], capture_output=True, text=True,
                              env=simsam_env())  # fmt: skip
        err = proc.stderr
        parent = tmp_path
    assert proc.returncode == 2, err
    files = ("results.nc", "results-amounts.nc") if options else ("results.nc",)
    expected = {f"error: --out {out}: no space left on the device (writing {f}); the earlier results there are untouched\n" for f in files}
    assert err in expected, err
    assert (out / "results.nc").read_bytes() == before
    assert not leftovers(parent)


def test_hdf5_failing_inside_a_write_does_not_crash_the_interpreter(tmp_path):
    """The crash the issue saw: HDF5 meeting ENOSPC, then exit 139 at interpreter exit. Written through the API, in a fresh process."""
    script = """
import errno, os, sys
import simsam
import simsam.results.netcdf as netcdf
real, count = os.pwrite, [0]
def pwrite(fd, data, offset):
    count[0] += 1
    if count[0] > 40:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return real(fd, data, offset)
netcdf.os.pwrite = pwrite
netcdf.reserve_space = lambda folder, n: None
from simsam.workflows.run_folder import write_run_folder
try:
    write_run_folder(simsam.load_config(sys.argv[1]), sys.argv[2], 20000, 1, chunk_draws=500)
except simsam.ConfigError as exc:
    print(exc)
"""
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-X", "faulthandler", "-c", script, str(CONFIG), str(out)], capture_output=True, text=True,
                          env=simsam_env())  # fmt: skip
    assert proc.returncode == 0, proc.stderr  # not -11 / 139
    assert proc.stdout == f"{out}: no space left on the device (writing results.nc); nothing was written\n"
    assert proc.stderr == "", "no HDF5 tracebacks"
    assert list(tmp_path.iterdir()) == []


def test_a_disk_too_small_is_refused_before_the_run(small_disk, tmp_path, capsys, monkeypatch):
    if small_disk is None:
        monkeypatch.setattr("simsam.workflows.plan.free_disk", lambda path: 16 << 20)
        out = tmp_path / "out"
    else:
        out = small_disk / "out"
    assert main(["run", str(CONFIG), "--draws", "100000", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --draws: 100 000 needs ~") and " free at " in err and "draws fit" in err and err.count("\n") == 1
    assert not out.exists() and not leftovers(out.parent)


def test_the_folder_removed_under_a_running_job(tmp_path):
    out = tmp_path / "out"
    proc = start("run", CONFIG, *BIG, "--out", out, "--quiet")
    tmp = wait_writing(tmp_path, "out", proc)
    shutil.rmtree(tmp)  # a cleanup script, a colleague, a scratch purge
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 2, err
    assert err == f"error: --out {out}: its unfinished folder {tmp.name} was removed while the run was writing it; nothing was written\n"
    assert not out.exists() and not leftovers(tmp_path)


def test_other_writes_that_fail_are_one_line(tmp_path, capsys, monkeypatch):
    """summary.xlsx, a sensitivity's files: any OS error while writing an output names the folder and the cause."""
    import simsam.workflows.run_folder as run_folder

    def quota(ds, summary, folder, lang=None):
        raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT), str(folder / "summary.csv"))

    monkeypatch.setattr(run_folder, "write_summaries", quota)
    out = tmp_path / "out"
    assert main(["run", str(CONFIG), "--draws", "20", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: --out {out}: disk quota exceeded (writing summary.csv); nothing was written\n"
    assert list(tmp_path.iterdir()) == []


# --- unwritable places ---------------------------------------------------------------------------------------------------


def fail_open_in(folder: Path, code: int, monkeypatch) -> None:
    """Inject: opening (creating) a file in ``folder`` fails with ``code``, as on a read-only or forbidden place."""
    real = os.open

    def refused(path, *a, **k):
        if str(path).startswith(str(folder)):
            raise OSError(code, os.strerror(code), str(path))
        return real(path, *a, **k)

    monkeypatch.setattr(folders.os, "open", refused)


def _unprivileged():
    """How to run a command without the right to ignore permissions: (prefix, how), or None."""
    if os.geteuid() != 0:
        return [], "a normal user"
    probe = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "true"]
    if shutil.which("setpriv") and subprocess.run(probe, capture_output=True).returncode == 0:
        return probe[:2], "root without CAP_DAC_OVERRIDE"
    return None


def test_out_under_a_folder_without_write_permission(tmp_path, capsys, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    how = _unprivileged()
    try:
        if how is not None:
            proc = subprocess.run([*how[0], sys.executable, "-m", "simsam.cli", "run", str(CONFIG), "--draws", "20", "--out",
                                   str(locked / "x")], capture_output=True, text=True, env=simsam_env())  # fmt: skip
            code, err = proc.returncode, proc.stderr
        else:  # injected: the lock file cannot be created there
            fail_open_in(locked, errno.EACCES, monkeypatch)
            code, err = main(["run", str(CONFIG), "--draws", "20", "--out", str(locked / "x")]), capsys.readouterr().err
        assert code == 2
        assert err == f"error: --out {locked / 'x'}: cannot write in '{locked}': permission denied (nothing was written)\n"
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder on a read-only file system (a read-only tmpfs), or None (EROFS injected)."""
    yield from tmpfs(tmp_path / "ro", "size=1m,ro")


def test_out_on_a_read_only_file_system(read_only_folder, tmp_path, capsys, monkeypatch):
    place = read_only_folder or tmp_path / "ro-injected"
    if read_only_folder is None:
        place.mkdir()
        fail_open_in(place, errno.EROFS, monkeypatch)
    assert main(["run", str(CONFIG), "--draws", "20", "--out", str(place / "x")]) == 2
    expected = f"error: --out {place / 'x'}: cannot write in '{place}': read-only file system (nothing was written)\n"
    assert capsys.readouterr().err == expected
    if read_only_folder is not None:  # the mount point itself: not a folder a run can replace
        assert main(["run", str(CONFIG), "--draws", "20", "--out", str(place)]) == 2
        assert "is a mount point" in capsys.readouterr().err


@pytest.mark.parametrize(
    "where, message",
    [
        ("{package}", "is inside the simsam package"),
        ("{package}/rules/data", "is inside the simsam package"),
        ("{package}/new", "is inside the simsam package"),
        ("{configs}", "holds files simsam did not write (e.g. "),
        ("{configs}/samverkansteamet.toml", "is a file, not a folder"),
        ("{configs}/samverkansteamet.toml/x", "is a file, so "),
        (".", "is not a folder name simsam can write"),
        ("{cwd}", "is the current folder or above it"),
        ("{cwd}/..", "is not a folder name simsam can write"),
        ("{run}", "holds another analysis (results.nc), which this one would replace"),
    ],
)
def test_out_where_a_run_must_not_write(where, message, tmp_path, capsys, monkeypatch, earlier):
    """The package, a folder of configs, the current folder, another analysis's results: refused, untouched (before: replaced)."""
    cwd = tmp_path / "work"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    package = Path(simsam.__file__).parent
    out = where.format(package=package, configs=ROOT / "configs", cwd=cwd, run=earlier[0])
    before = sorted(os.listdir(package)), sorted(os.listdir(ROOT / "configs"))
    command = ["sensitivity", str(CONFIG), "--method", "tornado"] if where == "{run}" else ["run", str(CONFIG), "--draws", "5"]
    assert main([*command, "--out", out]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --out: ") and message in err and err.count("\n") == 1, err
    assert (sorted(os.listdir(package)), sorted(os.listdir(ROOT / "configs"))) == before
    assert (earlier[0] / "results.nc").read_bytes() == earlier[1]


def test_a_read_only_package_and_home_still_run(tmp_path):
    """An installed, read-only simsam (a container's read-only root): the kernel and table caches go elsewhere.

    Read-only by a read-only bind mount where mounting is allowed, else by permissions (a normal user, or
    root without CAP_DAC_OVERRIDE); where neither is possible, the choice of cache is tested by injection below.
    """
    copy = tmp_path / "pkg"
    shutil.copytree(ROOT / "simsam", copy / "simsam", ignore=shutil.ignore_patterns("__pycache__"))
    home, cache = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    cache.mkdir()
    env = {**os.environ, "PYTHONPATH": str(copy), "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "TMPDIR": str(cache)}
    env.pop("NUMBA_CACHE_DIR", None)
    mounts = []
    for target, options in ((copy, ["--bind", "-o", "ro", str(copy)]), (home, ["-t", "tmpfs", "-o", "size=1m,ro", "tmpfs"])):
        if subprocess.run(["mount", *options, str(target)], capture_output=True).returncode == 0:
            mounts.append(target)
    if copy in mounts:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(copy)], capture_output=True)
    prefix = []
    if len(mounts) < 2:
        for target in mounts:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)
        mounts = []
        how = _unprivileged()
        if how is None:  # neither mounts nor dropped privileges here: the choice of cache, injected
            _check_cache_choice_injected(tmp_path)
            return
        prefix = how[0]
        for p in [copy, *copy.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        home.chmod(0o555)
    try:
        code = "import simsam, sys; from simsam.cli import main; assert simsam.__file__.startswith(sys.argv[1]); sys.exit(main(sys.argv[2:]))"  # noqa: E501
        argv = [sys.executable, "-c", code, str(copy), "run", str(CONFIG), "--draws", "20", "--out", str(tmp_path / "out"), "--quiet"]
        proc = subprocess.run([*prefix, *argv], capture_output=True, text=True, env=env, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert not list((copy / "simsam").rglob("__pycache__/*.nbi")), "nothing cached into the package"
        assert list(cache.glob("simsam-numba-*/**/*.nbi")), "the kernels' cache went to the temporary folder"
    finally:
        for target in mounts:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)
        for p in [copy, home, *copy.rglob("*")]:
            if p.exists():
                p.chmod(0o755)


def _check_cache_choice_injected(tmp_path, monkeypatch=None):
    import numba

    import simsam.engine.kernel_cache as ev

    saved = ev._CACHE_CHECKED, numba.config.CACHE_DIR, ev.tempfile.gettempdir, ev._writable
    try:
        ev._CACHE_CHECKED, numba.config.CACHE_DIR = False, ""
        ev.tempfile.gettempdir = lambda: str(tmp_path)
        ev._writable = lambda folder: str(folder).startswith(str(tmp_path))  # package and user cache unwritable
        ev.ensure_kernel_cache()
        assert numba.config.CACHE_DIR == str(tmp_path / f"simsam-numba-{os.getuid()}")
    finally:
        ev._CACHE_CHECKED, numba.config.CACHE_DIR, ev.tempfile.gettempdir, ev._writable = saved


def test_numba_cache_falls_back_when_nothing_is_writable(tmp_path):
    """The choice itself (the part no mount is needed for): package and user cache unwritable → the temporary folder."""
    _check_cache_choice_injected(tmp_path)


def test_numba_loads_without_its_blas_probe_and_scipy_linalg_still_works():
    """A fresh process: the kernels load without importing scipy.linalg (numba's BLAS probe, ~0.15 s of every run's
    start), the probe is not left behind, and scipy.linalg and numba's own np.dot work afterwards."""
    code = (
        "import sys, numpy as np\n"
        "from simsam.engine.kernel_cache import ensure_kernel_cache\n"
        "ensure_kernel_cache()\n"
        "from simsam.kernels.rng import keyed_uniforms\n"
        "keyed_uniforms(np.zeros(1, dtype=np.uint64), np.zeros(1, dtype=np.int64), np.empty((1, 1)))\n"
        "assert 'scipy.linalg' not in sys.modules, 'scipy.linalg loaded by the kernels'\n"
        "assert 'scipy.linalg.cython_blas' not in sys.modules\n"
        "import scipy.linalg, numba\n"
        "assert scipy.linalg.cholesky(np.array([[4.0]]))[0, 0] == 2.0\n"
        "dot = numba.njit(lambda a, b: np.dot(a, b))\n"
        "assert dot(np.ones(3), np.arange(3.0)) == 3.0\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


# --- the folder writer itself -----------------------------------------------------------------------------------------


def test_atomic_swap_replaces_in_one_step(tmp_path):
    final = tmp_path / "out"
    with folders.atomic_folder(final) as tmp:
        (tmp / "a").write_text("1")
    with folders.atomic_folder(final) as tmp:
        (tmp / "a").write_text("2")
        assert (final / "a").read_text() == "1", "the earlier folder stays until the new one is complete"
    assert (final / "a").read_text() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_claim_is_exclusive_and_reentrant(tmp_path):
    final = tmp_path / "out"
    with folders.claim(final):
        with folders.claim(final):  # the same process: atomic_folder inside a command's claim
            pass
        code = subprocess.run([sys.executable, "-c", f"from simsam.util.folders import claim\nwith claim({str(final)!r}): pass"],
                              capture_output=True, text=True, env=simsam_env())  # fmt: skip
        assert code.returncode != 0 and "is writing there" in code.stderr
    assert not list(tmp_path.iterdir()), "the lock file goes with the claim"


def test_results_are_unchanged_by_the_guarded_writer(tmp_path):
    """The file written through the guarded file object is the same Dataset as before (layout kept)."""
    out = tmp_path / "out"
    ds = simsam.simulate(simsam.load_config(CONFIG), draws=300, seed=3)
    from simsam.workflows.run_folder import write_run_folder

    write_run_folder(simsam.load_config(CONFIG), out, 300, 3, chunk_draws=100)
    from simsam.results import read_results

    back = read_results(out)
    for v in ds.data_vars:
        np.testing.assert_array_equal(back[v].values, ds[v].values)
        assert back[v].dims == ds[v].dims


def test_out_that_is_a_symbolic_link_is_written_where_it_points(tmp_path):
    """results/x -> /scratch/x (a common cluster layout): the results go to the link's target, and the link stays."""
    target = tmp_path / "scratch" / "x"
    target.mkdir(parents=True)
    link = tmp_path / "results" / "x"
    link.parent.mkdir()
    link.symlink_to(target)
    for _ in range(2):  # a new folder, then one replacing it
        assert main(["run", str(CONFIG), "--draws", "20", "--out", str(link), "--quiet"]) == 0
        assert link.is_symlink() and (target / "results.nc").exists()
    assert sorted(p.name for p in link.parent.iterdir()) == ["x"] and sorted(p.name for p in target.parent.iterdir()) == ["x"]


def test_out_with_a_name_too_long_for_the_file_system(tmp_path, capsys):
    name = "a" * 250
    assert main(["run", str(CONFIG), "--draws", "20", "--out", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --out: a name in '") and "is 250 bytes long; at most 240 fit" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_space_is_reserved_from_two_threads_at_once(tmp_path):
    """Two writers of one process (a ``--store states`` run writes two files) reserve space in one folder at the same
    time: each thread probes a file of its own (one name per process let one thread unlink the other's probe: ENOENT)."""
    from concurrent.futures import ThreadPoolExecutor

    from simsam.util.resources import reserve_space

    def many(_):
        for _ in range(3000):
            reserve_space(tmp_path, 4096)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(many, range(2)))
    assert list(tmp_path.iterdir()) == []
