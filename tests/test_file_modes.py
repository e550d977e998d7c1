"""Files the workbench writes get the mode a plain open() gives: a brief on a shared drive can be read."""

from __future__ import annotations

import os
import stat

from research.files import atomic_write, umask


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_atomic_write_gives_the_umask_mode_not_mkstemps_private_one(tmp_path):
    old = os.umask(0o027)
    try:
        assert umask() == 0o027 and umask() == 0o027  # reading it leaves it as it was
        atomic_write(tmp_path / "a.txt", lambda f: f.write(b"x"))
        assert _mode(tmp_path / "a.txt") == 0o640
    finally:
        os.umask(old)
    atomic_write(tmp_path / "b.txt", lambda f: f.write(b"x"))
    assert _mode(tmp_path / "b.txt") == 0o666 & ~old


def test_the_brief_and_its_folder_can_be_read_by_others_under_the_usual_umask(demo_brief):
    mask = umask()
    assert _mode(demo_brief) == 0o777 & ~mask  # the report folder (made private by mkdtemp while built)
    assert _mode(demo_brief / "brief.html") == 0o666 & ~mask
    assert not (demo_brief / ".shared").exists()  # the notebooks' shared state is not part of the report
