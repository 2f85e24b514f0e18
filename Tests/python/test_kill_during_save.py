"""A process SIGKILLed at random moments while it saves never leaves a truncated
or mixed checkpoint: the file at the target path is always one whole earlier
save (validated by `load`), never a blend of two or a prefix of one."""
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np

import swiftnn

# The child saves two recognisable state dicts in turn (every value = the save's
# generation number), each large enough (4 MiB) that a kill lands mid-write often.
CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import swiftnn
    path = sys.argv[1]
    generation = 0
    while True:
        generation += 1
        value = np.float32(generation)
        swiftnn.save({"a": np.full((512, 1024), value, np.float32), "b": np.full(1000, value, np.float32),
                      "n": np.array(generation, np.int64)}, path, metadata={"generation": str(generation)})
        print(generation, flush=True)
""")


def _check_whole(path):
    state = swiftnn.load(path)
    generation = int(state["n"].item())
    assert swiftnn.serialization.load_metadata(path) == {"generation": str(generation)}
    for name in ("a", "b"):
        values = state[name].numpy()
        assert values.shape == ((512, 1024) if name == "a" else (1000,))
        np.testing.assert_array_equal(values, np.float32(generation))  # not mixed with another save
    return generation


def test_sigkill_during_save_never_leaves_a_broken_file(tmp_path):
    rng = random.Random(15)
    path = tmp_path / "ckpt.safetensors"
    kills = 0
    last = 0
    for _ in range(12):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True)
        # Wait for at least one finished save, then kill at a random moment during later ones.
        assert child.stdout.readline().strip(), "the child saved nothing"
        time.sleep(rng.uniform(0.0, 0.15))
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
        generation = _check_whole(path)
        assert generation >= 1
        last = generation
    assert kills == 12 and last >= 1
    # The temporary files of interrupted saves are named <target>.tmp-<pid>-<n>; the target itself is never one.
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != path.name]
    assert all(name.startswith(path.name + ".tmp-") for name in leftovers), leftovers
