"""The CIFAR-10 case study, data-parallel on MPI ranks: the same experiment(partition, args)
as examples/cifar10_experiment.py (normal_CNN, Adam lr 1e-3, weight decay 1e-4, clipping
1.0, global batch 500), with DistributedDataParallel, SyncBatchNorm and a DistributedSampler
shard per rank. Rank 0 prints and writes the plots.

    python -m swiftnn.distributed.run -np 2 examples/cifar10_distributed.py --data data --epochs 1
    python examples/cifar10_distributed.py --sweep 1e-3,3e-3 ...   # one experiment per learning rate, spread over the ranks
"""
import argparse
import os

import swiftnn
import swiftnn.distributed as dist
import swiftnn.transforms as T
from swiftnn import datasets
from swiftnn.train import experiment, make_partition, plot_acc_variation, plot_loss_variation, sweep


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.environ.get("SWIFTNN_DATA", "data"))
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=500, help="global batch, split over the ranks")
    p.add_argument("--limit", type=int, default=None, help="only the first N training and N test images")
    p.add_argument("--out", default="out")
    p.add_argument("--sweep", help="comma-separated learning rates: independent experiments over the ranks")
    args = p.parse_args()

    dist.init_process_group("mpi")
    normalize = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    partition = make_partition(datasets.CIFAR10(args.data, train=True, transform=normalize),
                               datasets.CIFAR10(args.data, train=False, transform=normalize), limit=args.limit, seed=0)
    settings = dict(model="CNN", optim="Adam", lr=1e-3, l2=1e-4, clip=1.0, epoch=args.epochs,
                    train_batch_size=args.batch_size, test_batch_size=500, seed=0)
    main_rank = dist.get_rank() == 0
    if args.sweep:
        results = sweep(partition, [dict(settings, lr=float(lr)) for lr in args.sweep.split(",")])
        if main_rank:
            for setting, result in results:
                print(f"lr {setting['lr']:g}: test accuracy {result['test_acc']:.2f} %")
        return
    _, result = experiment(partition, settings)
    os.makedirs(args.out, exist_ok=True)
    plot_loss_variation(result, os.path.join(args.out, "ddp_loss.png"))  # written by rank 0 only
    plot_acc_variation(result, os.path.join(args.out, "ddp_acc.png"))
    if main_rank:
        print(f"{dist.get_world_size()} ranks, epoch seconds {[round(s, 1) for s in result['epoch_seconds']]}")


if __name__ == "__main__":
    main()
