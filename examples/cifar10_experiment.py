"""The CIFAR-10 case study with the reference recipe: normal_CNN, Adam (lr 1e-3,
betas (0.9, 0.999), eps 1e-8, weight decay 1e-4), gradient-norm clipping 1.0,
batches of 500, Normalize(0.5, 0.5); train/val/test split 40k/10k/10k.

Prints per-epoch progress, the final train/val/test accuracy and the accuracy
per class, and writes the loss and accuracy plots as PNG files to --out.

Data: --data, else $SWIFTNN_DATA, else ./data (either official layout); it is
downloaded there when missing and the network allows. Offline and without the
data, it says so and runs the same workflow on scikit-learn's 8x8 digits."""
import argparse
import json
import os
import sys
import time

import swiftnn
import swiftnn.transforms as T
from swiftnn import datasets, models
from swiftnn.train import experiment, make_partition, plot_acc_variation, plot_confusion_matrix, plot_loss_variation


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=1, help="epochs (default 1)")
    p.add_argument("--model", default="normal_CNN", help="zoo model name (default normal_CNN)")
    p.add_argument("--data", default=os.environ.get("SWIFTNN_DATA", "data"), help="CIFAR-10 root folder")
    p.add_argument("--batch-size", type=int, default=500, help="training batch size (default 500)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--augment", action="store_true", help="RandomCrop(32, padding=4) + RandomHorizontalFlip")
    p.add_argument("--limit", type=int, default=None, help="use only the first N training and N test images")
    p.add_argument("--out", default="out", help="folder for the PNG plots (default ./out)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-download", action="store_true", help="never try to download CIFAR-10")
    p.add_argument("--test-every-epoch", action="store_true", help="evaluate the test set after every epoch")
    p.add_argument("--quiet", action="store_true", help="no progress bars (the epoch lines are still printed)")
    return p.parse_args(argv)


def cifar10_partition(args):
    """The partition on CIFAR-10, or None (with the reason printed) when it is not available."""
    normalize = T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
    plain = T.Compose([T.ToTensor(), normalize])
    try:
        trainset = datasets.CIFAR10(args.data, train=True, transform=plain, download=not args.no_download)
        testset = datasets.CIFAR10(args.data, train=False, transform=plain)
    except (OSError, RuntimeError) as error:
        print(f"CIFAR-10 is not in {os.path.abspath(args.data)} and could not be downloaded ({error}).\n"
              "Running the same workflow on the digits set (scikit-learn's 8x8 digits) instead.", flush=True)
        return None
    augmented = None
    if args.augment:
        augmented = datasets.CIFAR10(args.data, train=True, transform=T.Compose(
            [T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(), normalize]))
    return make_partition(trainset, testset, limit=args.limit, seed=args.seed, train_transform_set=augmented)


def digits_partition(args):
    plain = T.Normalize((0.5,), (0.5,))
    trainset = datasets.Digits(train=True, transform=plain)
    testset = datasets.Digits(train=False, transform=plain)
    return make_partition(trainset, testset, limit=args.limit, seed=args.seed)


def main(argv=None):
    args = parse_args(argv)
    partition = cifar10_partition(args)
    model = args.model
    if partition is None:
        partition = digits_partition(args)
        model = lambda: models.normal_CNN(input_size=(1, 8, 8), kernal_list=[16, 16, "p", 32, 32, "p", 64, 64])
    print(f"train {len(partition['train'])}, val {len(partition['val'])}, test {len(partition['test'])} images; "
          f"model {args.model}; Adam lr {args.lr}, weight decay 1e-4, clip 1.0, batch {args.batch_size}"
          f"{', augmented' if args.augment else ''}; {swiftnn.get_num_threads()} threads", flush=True)
    settings = dict(model=model, optim="Adam", lr=args.lr, l2=1e-4, epoch=args.epochs, clip=1.0,
                    train_batch_size=args.batch_size, test_batch_size=500, seed=args.seed,
                    test_every_epoch=args.test_every_epoch, progress=not args.quiet)
    start = time.time()
    _, result = experiment(partition, argparse.Namespace(**settings))
    print(f"final accuracy: train {result['train_acc']:.2f}%, val {result['val_acc']:.2f}%, "
          f"test {result['test_acc']:.2f}% ({time.time() - start:.1f} s)")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "result.json"), "w") as f:
        json.dump({k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in result.items()}, f, indent=1)
    paths = [os.path.join(args.out, name) for name in ("loss_variation.png", "acc_variation.png", "confusion.png")]
    try:
        plot_loss_variation(result, paths[0])
        plot_acc_variation(result, paths[1])
        plot_confusion_matrix(result["confusion"], list(result["class_accs"]), paths[2])
    except ImportError as error:
        print(f"no plots: {error}", file=sys.stderr)
        return 0
    print("plots: " + ", ".join(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
