"""Resumable training: one checkpoint file per run directory, written after every
epoch, holding everything the next epoch depends on.

`fit(..., checkpoint_dir=d)` saves `d/training.safetensors` after each epoch
and, when the file is there at the start, continues after the epoch it records.
The file holds the model's state dict, the optimizer's state buffers and groups,
the scheduler's position, each loader's seed and epoch counter, the history so
far, and the run's seed. The random stream of epoch e (dropout, random
transforms drawn from the default generator) is reseeded from (run seed, e) at
the start of the epoch, so a resumed run repeats an uninterrupted one exactly.
The file is replaced atomically (`swiftnn.save`): a kill at any moment leaves
the previous epoch's checkpoint or the new one, never a mix.
"""
import json
import os

from .. import _C
from ..creation import manual_seed
from ..serialization import load, load_metadata, save

FILE_NAME = "training.safetensors"
FORMAT = "swiftnn.training/1"
_MASK = (1 << 64) - 1


def _json_ready(value, what):
    """Tuples become lists; anything JSON cannot hold (a lambda in a scheduler) is an error."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as error:
        raise TypeError(f"cannot checkpoint {what}: {error}") from None


def _group_values(group):
    """A saved group's hyperparameters with pairs (betas) back as tuples."""
    return {k: tuple(v) if isinstance(v, list) and k != "params" else v for k, v in group.items()}


class TrainingCheckpoint:
    """The checkpoint of one `fit` run in `directory` (created when missing)."""

    def __init__(self, directory, model, optimizer, scheduler=None, loaders=()):
        self.directory = os.fspath(directory)
        self.path = os.path.join(self.directory, FILE_NAME)
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.loaders = [loader for loader in loaders if loader is not None]

    def restore(self):
        """-> (epochs done, history, run seed) from the directory's checkpoint, or None
        when there is none yet. Restores model, optimizer, scheduler and loaders."""
        if not os.path.exists(self.path):
            return None
        info = json.loads(load_metadata(self.path).get("training", "null") or "null")
        if not isinstance(info, dict) or info.get("format") != FORMAT:
            raise OSError(f"{self.path} is not a swiftnn training checkpoint")
        tensors = load(self.path)
        self.model.load_state_dict({k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")})
        state = {}
        for key, value in tensors.items():
            if key.startswith("optimizer."):
                _, index, name = key.split(".", 2)
                state.setdefault(int(index), {})[name] = value
        self.optimizer.load_state_dict({"state": state,
                                        "param_groups": [_group_values(g) for g in info["optimizer_groups"]]})
        if self.scheduler is not None:
            if info.get("scheduler") is None:
                raise ValueError(f"{self.path} holds no scheduler state, but a scheduler was given")
            self.scheduler.load_state_dict(info["scheduler"])
        if len(info["loaders"]) != len(self.loaders):
            raise ValueError(f"{self.path} holds {len(info['loaders'])} loader states, {len(self.loaders)} loaders given")
        for loader, saved in zip(self.loaders, info["loaders"]):
            loader.seed, loader._epoch = saved["seed"], saved["epoch"]
            loader._loader = None  # rebuilt at the restored epoch on the next iteration
        return info["epoch"], info["history"], info["seed"]

    def save(self, epochs_done, history, seed):
        os.makedirs(self.directory, exist_ok=True)
        tensors = {"model." + k: v for k, v in self.model.state_dict().items()}
        optimizer_state = self.optimizer.state_dict()
        for index, buffers in optimizer_state["state"].items():
            for name, value in buffers.items():
                tensors[f"optimizer.{index}.{name}"] = value
        info = {
            "format": FORMAT, "epoch": epochs_done, "seed": seed, "history": history,
            "optimizer_groups": _json_ready(optimizer_state["param_groups"], "the optimizer's param_groups"),
            "scheduler": None if self.scheduler is None else _json_ready(self.scheduler.state_dict(), "the scheduler"),
            "loaders": [{"seed": loader.seed, "epoch": loader._epoch} for loader in self.loaders],
        }
        save(tensors, self.path, metadata={"training": json.dumps(info)})


def new_run_seed():
    """The run's seed, drawn from the default generator (so `manual_seed` fixes it)."""
    return _C.random_seed() & _MASK


def seed_epoch(seed, epoch):
    """Reseeds the default generator for `epoch` of the run `seed`."""
    manual_seed((seed * 0x9E3779B97F4A7C15 + epoch + 1) & _MASK)
