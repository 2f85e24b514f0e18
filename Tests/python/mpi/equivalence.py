"""Run with mpirun -np 2: data-parallel training on 2 ranks with B/2 samples each against one
process with B (computed on every rank, in the same process), over STEPS steps. Prints one
JSON line per case from rank 0 with the worst relative differences of the losses and of the
final state (parameters and buffers), the share of state elements within 1e-5, and as the
floating-point noise floor the same single-process run with 1 and with 2 engine threads
(another summation order). normal_CNN uses SyncBatchNorm; MLPnet trains with its dropout
off (model.eval(): MLPnet has no BatchNorm, and dropout draws differ per rank).

Cases are arguments NAME+OPTIMIZER[+copy]: NAME is MLPnet, normal_CNN or normal_CNN(gelu)
(the same network with GELU, whose gradient has no kink), OPTIMIZER sgd (momentum 0.9) or
adam; "+copy" gives every rank the whole batch, where the result must be bitwise the
reference's (averaging equal gradients and joining equal statistics are exact), except
running_var, unbiased with the joint count 2B."""
import json

import numpy as np

import swiftnn
import swiftnn.distributed as dist
from swiftnn import models, nn, optim

dist.init_process_group(backend="mpi")
rank, world = dist.get_rank(), dist.get_world_size()
B, STEPS = 8, 6
rng = np.random.default_rng(0)
batches = [(rng.standard_normal((B, 3, 32, 32)).astype(np.float32), rng.integers(0, 10, B)) for _ in range(STEPS)]


def build(name):
    swiftnn.manual_seed(0)
    model = models.normal_CNN(activation_func="gelu") if name == "normal_CNN(gelu)" else getattr(models, name)()
    if name == "MLPnet":
        model.eval()
    return model


def make_optimizer(kind, params):
    if kind == "sgd":
        return optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=1e-4)
    return optim.Adam(params, lr=1e-3, weight_decay=1e-4)


def train(model, optimizer, shard):
    """shard: this rank's B/world samples of each batch; "copy": the whole batch on every rank."""
    criterion = nn.CrossEntropyLoss()
    losses = []
    per = B // world
    for x, y in batches:
        if shard is True:
            x, y = x[rank * per:(rank + 1) * per], y[rank * per:(rank + 1) * per]
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def relative(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def state(model):
    return {k: np.asarray(v, np.float64) for k, v in model.state_dict().items()}


def share_within(got, want, tolerance=1e-5):
    """The share of elements within tolerance × the largest magnitude of their tensor."""
    close = sum(int((np.abs(got[k] - want[k]) <= tolerance * max(np.abs(want[k]).max(), 1e-30)).sum()) for k in want)
    return close / sum(v.size for v in want.values())


def order_variation(name, kind):
    """The same single-process run with 1 and with 2 engine threads, and on every kernel path the
    CPU has (each sums in another order): how far summation order alone moves its final state and
    its losses, at most."""
    states, losses = [], []
    best = swiftnn.config()["isa"]
    variants = [(1, best), (2, best)] + [(1, isa) for isa in swiftnn.config()["supported_isas"] if isa != best]
    for threads, isa in variants:
        swiftnn.set_num_threads(threads)
        swiftnn.set_kernel_isa(isa)
        model = build(name)
        losses.append(train(model, make_optimizer(kind, model.parameters()), shard=False))
        states.append(state(model))
    swiftnn.set_num_threads(1)
    swiftnn.set_kernel_isa(best)
    state_rel = max(relative(s[k], states[0][k]) for s in states[1:] for k in states[0])
    return state_rel, max(relative(l, losses[0]) for l in losses[1:])


import sys
CASES = [(c.split("+") + [""])[:3] for c in sys.argv[1:]]
for name, kind, mode in CASES:
    reference = build(name)
    reference_losses = train(reference, make_optimizer(kind, reference.parameters()), shard=False)

    model = build(name)
    synced = 0
    if name.startswith("normal_CNN"):
        nn.SyncBatchNorm.convert_sync_batchnorm(model)
        synced = sum(1 for line in repr(model).splitlines() if "SyncBatchNorm" in line)
    ddp = nn.parallel.DistributedDataParallel(model)
    local_losses = train(ddp, make_optimizer(kind, ddp.parameters()), shard="copy" if mode == "copy" else True)
    every_rank = [None] * world
    dist.all_gather_object(every_rank, local_losses)
    global_losses = np.mean(every_rank, axis=0)

    got, expected = state(model), state(reference)
    if mode == "copy":  # the joint batch is then 2B samples: running_var's unbiasing M/(M-1) differs, rightly
        expected = {k: v for k, v in expected.items() if "running_var" not in k}
    worst_key = max(expected, key=lambda k: relative(got[k], expected[k]))
    initial = state(build(name))
    moved = max(relative(expected[k], initial[k]) for k in expected if "weight" in k)
    order_state_rel, order_loss_rel = order_variation(name, kind)
    if rank == 0:
        print(json.dumps({"case": "+".join(p for p in (name, kind, mode) if p), "steps": STEPS, "loss_rel": relative(global_losses, reference_losses),
                          "state_rel": relative(got[worst_key], expected[worst_key]), "worst_key": worst_key,
                          "share_within_1e-5": share_within(got, expected), "weights_moved_rel": moved,
                          "one_process_order_state_rel": order_state_rel,
                          "one_process_order_loss_rel": order_loss_rel,
                          "sync_bn_layers": synced, "losses": [round(v, 6) for v in reference_losses]}), flush=True)
dist.destroy_process_group()
