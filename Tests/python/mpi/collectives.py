"""Run with mpirun -np 2: the collectives on tensors and objects, DistributedDataParallel over a
Module written in Python (buffer broadcast, flat gradient buffer aliasing .grad, no_sync).
Every rank asserts; rank 0 prints "ok" at the end."""
import numpy as np

import swiftnn
import swiftnn.distributed as dist
from swiftnn import nn

assert not dist.is_initialized()
dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and world == 2 and dist.get_backend() == "mpi"

t = swiftnn.tensor(np.arange(5, dtype=np.float32) + 10 * rank)
dist.all_reduce(t)
np.testing.assert_array_equal(t.numpy(), 2 * np.arange(5) + 10)
t = swiftnn.tensor([1.0 + rank, -3.0 * rank])
dist.all_reduce(t, op=dist.ReduceOp.MAX)
np.testing.assert_array_equal(t.numpy(), [2.0, 0.0])
t = swiftnn.tensor([2.0 + rank])
dist.all_reduce(t, op=dist.ReduceOp.AVG)
np.testing.assert_array_equal(t.numpy(), [2.5])
b = swiftnn.tensor(np.full((2, 3), rank, dtype=np.float32))
dist.broadcast(b, src=1)
np.testing.assert_array_equal(b.numpy(), np.ones((2, 3)))
gathered = [swiftnn.zeros(2) for _ in range(world)]
dist.all_gather(gathered, swiftnn.tensor([rank, rank + 0.5]))
np.testing.assert_array_equal(np.stack([g.numpy() for g in gathered]), [[0, 0.5], [1, 1.5]])
objects = [None] * world
dist.all_gather_object(objects, {"rank": rank})
assert objects == [{"rank": 0}, {"rank": 1}]
for bad in (lambda: dist.all_gather([swiftnn.zeros(2)], swiftnn.zeros(2)),
            lambda: dist.all_reduce(np.zeros(3)),
            lambda: dist.init_process_group("mpi"),
            lambda: dist.broadcast(swiftnn.zeros(2), src=5)):
    try:
        bad()
    except (ValueError, TypeError, RuntimeError):
        pass
    else:
        raise AssertionError("a bad collective call did not raise")


class Net(nn.Module):  # a Module written in Python, with a buffer
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 5)
        self.fc2 = nn.Linear(5, 3)
        self.register_buffer("offset", swiftnn.zeros(3))

    def forward(self, x):
        return self.fc2(self.fc1(x).relu()) + self.offset


swiftnn.manual_seed(rank)  # different weights on every rank: wrapping must give rank 0's
net = Net()
net.offset.add_(swiftnn.tensor([1.0, 2.0, 3.0 + rank]))
ddp = nn.parallel.DistributedDataParallel(net, bucket_cap_mb=0.0001)  # ~100 bytes: several buckets
weights = [None] * world
dist.all_gather_object(weights, [p.numpy() for p in net.parameters()])
for a, b in zip(*weights):
    np.testing.assert_array_equal(a, b)
assert len(ddp.bucket_views()) > 1
np.testing.assert_array_equal(net.offset.numpy(), [1.0, 2.0, 3.0])  # rank 0's buffer
assert sorted(ddp.state_dict()) == sorted("module." + k for k in net.state_dict())

x = np.random.default_rng(rank).standard_normal((4, 6)).astype(np.float32)
out = ddp(x)
(out * out).mean().backward()
flat = ddp.flat_gradients()
grads = [None] * world
dist.all_gather_object(grads, flat.copy())
np.testing.assert_array_equal(grads[0], grads[1])  # averaged: the same on every rank
# The flat buffer aliases every .grad (reverse parameter order), no copy.
np.testing.assert_array_equal(flat, np.concatenate([p.grad.numpy().ravel() for p in reversed(list(net.parameters()))]))
flat[:] = 0
assert all(float(np.abs(p.grad.numpy()).max()) == 0 for p in net.parameters())

# no_sync: local accumulation only; the next synchronised backward averages the sums.
for p in net.parameters():
    p.grad = None
with ddp.no_sync():
    out = ddp(x)
    (out * out).mean().backward()
local = ddp.flat_gradients().copy()
both = [None] * world
dist.all_gather_object(both, local)
assert not np.array_equal(both[0], both[1]), "no_sync must not communicate"
out = ddp(x)
(out * out).mean().backward()
after = [None] * world
dist.all_gather_object(after, ddp.flat_gradients().copy())
np.testing.assert_allclose(after[0], (both[0] + both[1]), rtol=1e-5, atol=1e-6)  # (2·l0 + 2·l1)/2
np.testing.assert_array_equal(after[0], after[1])
dist.barrier()
dist.destroy_process_group()
assert not dist.is_initialized()
if rank == 0:
    print("ok", flush=True)
