"""Run with mpirun -np 2: fit with DistributedDataParallel and a DistributedSampler, the case
study's experiment() and sweep() across ranks. Only rank 0 prints its normal output; every
rank prints one JSON line "RESULT rank ..." with what it computed."""
import argparse
import json

import numpy as np

import swiftnn
import swiftnn.distributed as dist
from swiftnn import data, models, nn, optim, train

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
rng = np.random.default_rng(0)
images = rng.standard_normal((60, 3, 32, 32)).astype(np.float32)
labels = rng.integers(0, 10, 60)
dataset = data.TensorDataset(images, labels)

swiftnn.manual_seed(0)
model = nn.parallel.DistributedDataParallel(nn.SyncBatchNorm.convert_sync_batchnorm(models.normal_CNN()))
sampler = data.DistributedSampler(dataset, shuffle=True, seed=1)
loader = data.DataLoader(dataset, batch_size=10, sampler=sampler)
history = train.fit(model, loader, optim.SGD(model.parameters(), lr=0.01, momentum=0.9), epochs=2,
                    val_loader=data.DataLoader(dataset, batch_size=10, sampler=data.DistributedSampler(dataset, shuffle=False)),
                    progress=False)
state_sum = float(sum(np.abs(np.asarray(v)).sum() for v in model.state_dict().values()))

partition = {"train": data.TensorDataset(images[:40], labels[:40]), "val": data.TensorDataset(images[40:50], labels[40:50]),
             "test": data.TensorDataset(images[50:], labels[50:])}
args = argparse.Namespace(model="CNN", optim="SGD", lr=0.01, momentum=0.9, epoch=1, train_batch_size=20,
                          test_batch_size=10, seed=3, progress=False)
setting, result = train.experiment(partition, args)

settings = [dict(model="CNN", optim="Adam", lr=lr, epoch=1, train_batch_size=20, test_batch_size=10, seed=4,
                 quiet=True) for lr in (1e-3, 3e-3, 1e-2)]
swept = train.sweep(partition, settings)
print("RESULT " + json.dumps({
    "rank": rank, "history": history, "state_sum": state_sum,
    "experiment": {k: result[k] for k in ("train_losses", "val_losses", "train_accs", "val_accs", "test_acc")},
    "sweep": None if swept is None else [[s["lr"], r["test_acc"], r["train_losses"]] for s, r in swept],
}), flush=True)
