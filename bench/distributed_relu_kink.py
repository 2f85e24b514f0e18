"""Why ReLU networks cannot match bitwise under data parallelism (docs/distributed.md):
normal_CNN's first two stages as separate layers, one SGD step on 2 MPI ranks (B/2 each,
SyncBatchNorm) against one process (B). For each data seed it prints how many ReLU
decisions differ between the two runs (a pre-activation that is zero up to float32
rounding) and the worst relative gradient difference per weight. Without a flip the
gradients agree to ~1e-6; one flipped element moves the layers below it by up to ~1e-2.

    mpirun -np 2 python bench/distributed_relu_kink.py
"""
import numpy as np, swiftnn, swiftnn.distributed as dist
from swiftnn import nn
dist.init_process_group("mpi"); rank=dist.get_rank()
B=8
rel=lambda a,b: float(np.abs(a-b).max()/np.abs(b).max())
for seed in (1,0,2,3):
    rng=np.random.default_rng(seed)
    x,y=(rng.standard_normal((B,3,32,32)).astype(np.float32), rng.integers(0,10,B))
    def build():
        swiftnn.manual_seed(0)
        L=[nn.Conv2d(3,16,3,padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.Conv2d(16,16,3,padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
           nn.Conv2d(16,32,3,padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.Conv2d(32,32,3,padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32,10)]
        return L
    def run(L, xs):
        acts=[]; h=swiftnn.tensor(xs)
        for l in L:
            if isinstance(l, nn.ReLU): acts.append(h.numpy())
            h=l(h)
        return h, acts
    ref=build(); out,ra=run(ref,x); nn.CrossEntropyLoss()(out,y).backward()
    m=build()
    for l in m:
        if isinstance(l, nn.BatchNorm2d): nn.SyncBatchNorm.convert_sync_batchnorm(l)
    out,ma=run(m,x[rank*4:rank*4+4]); nn.CrossEntropyLoss()(out,y[rank*4:rank*4+4]).backward()
    g=[None]*2; dist.all_gather_object(g,[l.weight.grad.numpy() for l in m if hasattr(l,'weight') and l.weight is not None])
    acts=[None]*2; dist.all_gather_object(acts, ma)
    if rank==0:
        flips=[int(((np.concatenate([a0,a1])>0)!=(r>0)).sum()) for a0,a1,r in zip(acts[0],acts[1],ra)]
        diffs=["%.1e"%rel((a+b)/2, l.weight.grad.numpy()) for a,b,l in zip(g[0],g[1],[l for l in ref if hasattr(l,'weight') and l.weight is not None])]
        print("seed",seed,"relu mask flips per ReLU",flips,"grad rel",diffs, flush=True)
