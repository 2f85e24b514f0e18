"""Data-parallel speed on this machine: the CIFAR-10 recipe (normal_CNN with BatchNorm, Adam
lr 1e-3, weight decay 1e-4, clipping 1.0, global batch 500, Normalize(0.5, 0.5)) trained

  A. in one process with T threads (plain training, no MPI), and
  B. on N MPI ranks with T/N threads each (DistributedDataParallel + SyncBatchNorm +
     DistributedSampler, batches of 500/N per rank),

for the same number of images, reporting images/s side by side and, for B, the time per
step spent in collectives (gradient buckets, SyncBatchNorm exchanges, buffer broadcasts;
this includes waiting for the slower rank) and the all-reduce of the gradient buffer alone.

    python bench/distributed.py --data data --steps 20          # runs A, then B through mpirun
    python bench/distributed.py --data data --json out.json     # also writes the figures

Under mpirun (the script starts itself so) it runs one configuration and prints a JSON line.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("SWIFTNN_DATA", "data"), help="CIFAR-10 folder")
    parser.add_argument("--steps", type=int, default=20, help="timed steps (after --warmup)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=500, help="global batch")
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="threads of the single process (split over ranks in B)")
    parser.add_argument("--model", default="normal_CNN")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def run_configuration(args):
    """Trains warmup + steps batches; returns images/s and, under MPI, communication per step."""
    import numpy as np  # noqa: F401
    import swiftnn
    import swiftnn.distributed as dist
    from swiftnn import data, datasets, models, nn, optim
    from swiftnn import transforms as T

    parallel = "OMPI_COMM_WORLD_SIZE" in os.environ
    if parallel:
        dist.init_process_group("mpi")
    world = dist.get_world_size() if parallel else 1
    normalize = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    trainset = datasets.CIFAR10(args.data, train=True, transform=normalize, download=False)
    swiftnn.manual_seed(0)
    model = getattr(models, args.model)()
    per_rank = args.batch_size // world
    if parallel:
        model = nn.parallel.DistributedDataParallel(nn.SyncBatchNorm.convert_sync_batchnorm(model))
        loader = data.DataLoader(trainset, batch_size=per_rank, sampler=data.DistributedSampler(trainset, seed=0))
    else:
        loader = data.DataLoader(trainset, batch_size=per_rank, shuffle=True, seed=0)
    optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    marks = {}

    def callback(info):
        if info.batch == args.warmup - 1:
            if parallel:
                dist.barrier()
                dist.communication_stats(reset=True)
            marks["start"] = time.perf_counter()
        if info.batch == args.warmup + args.steps - 1:
            if parallel:
                dist.barrier()
                marks["traffic"] = dist.communication_stats()
            marks["end"] = time.perf_counter()
            raise StopIteration  # ends the epoch early

    try:
        swiftnn.train.train_epoch(model, loader, optimizer, max_grad_norm=1.0, callback=callback)
    except (StopIteration, RuntimeError) as stop:
        if "end" not in marks:
            raise stop
    seconds = marks["end"] - marks["start"]
    result = {"ranks": world, "threads_per_rank": swiftnn.get_num_threads(), "steps": args.steps,
              "global_batch": per_rank * world, "seconds": seconds,
              "images_per_s": args.steps * per_rank * world / seconds, "step_ms": 1e3 * seconds / args.steps}
    if parallel:
        traffic = marks["traffic"]
        result.update(comm_ms_per_step=1e3 * traffic["seconds"] / args.steps,
                      collectives_per_step=traffic["calls"] / args.steps,
                      floats_per_step=traffic["floats"] / args.steps,
                      gradient_floats=int(model.flat_gradients().size))
        result.update(allreduce_ms=gradient_allreduce_ms(dist, model))
        gathered = [None] * world
        dist.all_gather_object(gathered, result)
        if dist.get_rank() == 0:
            result["per_rank_comm_ms"] = [g["comm_ms_per_step"] for g in gathered]
            print("RESULT " + json.dumps(result), flush=True)
    else:
        print("RESULT " + json.dumps(result), flush=True)


def gradient_allreduce_ms(dist, model, repeats=20):
    """The all-reduce of the whole gradient buffer alone, every rank starting together
    (a barrier first), so waiting for a slower rank is not counted: the transfer cost."""
    import swiftnn
    flat = swiftnn.tensor(model.flat_gradients())
    times = []
    for _ in range(repeats):
        dist.barrier()
        start = time.perf_counter()
        dist.all_reduce(flat)
        times.append(time.perf_counter() - start)
    return 1e3 * sorted(times)[len(times) // 2]


def launch(args, ranks, threads):
    env = dict(os.environ, SWIFTNN_NUM_THREADS=str(threads), SWIFTNN_QUIET="1")
    me = [sys.executable, os.path.abspath(__file__), "--worker", "--data", args.data, "--steps", str(args.steps),
          "--warmup", str(args.warmup), "--batch-size", str(args.batch_size), "--model", args.model]
    if ranks > 1:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        mpirun = os.path.join(os.path.dirname(sys.executable), "mpirun")
        bind = ["--bind-to", "core"] if threads == 1 else ["--bind-to", "none"]
        me = [mpirun if os.path.isfile(mpirun) else "mpirun", "-np", str(ranks), *bind, "-x", "SWIFTNN_NUM_THREADS"] + me
    out = subprocess.run(me, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(me)} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))[7:])


def cpu_name():
    try:
        with open("/proc/cpuinfo") as info:
            return next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor()


def main():
    args = parse()
    if args.worker:
        return run_configuration(args)
    single = launch(args, 1, args.threads)
    parallel = launch(args, args.ranks, max(1, args.threads // args.ranks))
    print(f"CPU: {cpu_name()}; {args.model}, global batch {args.batch_size}, {args.steps} timed steps")
    print(f"{'configuration':<28}{'images/s':>10}{'step ms':>10}{'comm ms/step':>14}")
    for r in (single, parallel):
        label = f"{r['ranks']} rank(s) x {r['threads_per_rank']} thread(s)"
        comm = f"{r['comm_ms_per_step']:.1f}" if "comm_ms_per_step" in r else "-"
        print(f"{label:<28}{r['images_per_s']:>10.1f}{r['step_ms']:>10.1f}{comm:>14}")
    if "gradient_floats" in parallel:
        print(f"gradient buffer {parallel['gradient_floats']:,} floats ({4 * parallel['gradient_floats'] / 2**20:.2f} MiB), "
              f"{parallel['collectives_per_step']:.0f} collectives and {parallel['floats_per_step']:,.0f} floats per step "
              f"per rank; comm ms/step per rank {[round(v, 1) for v in parallel['per_rank_comm_ms']]} "
              f"(includes waiting for the slower rank); all-reduce of the whole buffer alone: "
              f"{parallel['allreduce_ms']:.2f} ms (median of 20)")
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump({"cpu": cpu_name(), "single": single, "parallel": parallel}, f, indent=2)
        os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    main()
