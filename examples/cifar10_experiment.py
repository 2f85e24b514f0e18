"""The CIFAR-10 case study with the reference recipe: normal_CNN, Adam (lr 1e-3,
betas (0.9, 0.999), eps 1e-8, weight decay 1e-4), gradient-norm clipping 1.0,
batches of 500, Normalize(0.5, 0.5); train/val/test split 40k/10k/10k.

Prints per-epoch progress, the final train/val/test accuracy and the accuracy
per class, and writes the loss and accuracy plots, the confusion matrix and a
grid of test images with their predicted classes (make_grid) as PNG files to --out.

Data: --data, else $SWIFTNN_DATA, else ./data (either official layout); it is
downloaded there when missing and the network allows. Offline and without the
data, it says how to get it and runs the same workflow on scikit-learn's 8x8
digits (a small CNN for 8x8 images, 15 epochs, batches of 32: ~98% in seconds)."""
import argparse
import json
import os
import sys
import time

import swiftnn
import swiftnn.transforms as T
from swiftnn import datasets, models
from swiftnn.utils import make_grid
from swiftnn.train import experiment, make_partition, plot_acc_variation, plot_confusion_matrix, plot_loss_variation


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=None, help="epochs (default 1 on CIFAR-10, 15 on digits)")
    p.add_argument("--model", default="normal_CNN", help="zoo model name (default normal_CNN)")
    p.add_argument("--data", default=os.environ.get("SWIFTNN_DATA", "data"), help="CIFAR-10 root folder")
    p.add_argument("--batch-size", type=int, default=None,
                   help="training batch size (default 500 on CIFAR-10, 32 on digits)")
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
        print(f"CIFAR-10 is not in {os.path.abspath(args.data)} and could not be downloaded ({error}).\n\n"
              "To run the real case study, get CIFAR-10 (either official archive, python or binary) and either\n"
              "  - extract it under ./data (or pass --data DIR, or set SWIFTNN_DATA=DIR), or\n"
              "  - let the demo download it: run with network access, or point SWIFTNN_CIFAR10_URL at a mirror\n"
              "    (and SWIFTNN_CIFAR10_MD5 when the mirror's archive is not the official one).\n"
              "Then: make demo DEMO_ARGS=\"--data DIR --epochs 10\".\n\n"
              "Meanwhile, the same workflow on scikit-learn's 8x8 handwritten digits:", flush=True)
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
    on_digits = partition is None
    if on_digits:
        swiftnn.manual_seed(args.seed)
        partition = digits_partition(args)
        net = models.normal_CNN(input_size=(1, 8, 8), kernal_list=[16, 16, "p", 32, 32, "p", 64, 64])
        name, args.epochs, args.batch_size = "normal_CNN for 8x8 images", args.epochs or 15, args.batch_size or 32
    else:
        swiftnn.manual_seed(args.seed)
        net = getattr(models, args.model)()
        name, args.epochs, args.batch_size = args.model, args.epochs or 1, args.batch_size or 500
    print(f"train {len(partition['train'])}, val {len(partition['val'])}, test {len(partition['test'])} images; "
          f"model {name}; {args.epochs} epochs; Adam lr {args.lr}, weight decay 1e-4, clip 1.0, batch "
          f"{args.batch_size}{', augmented' if args.augment else ''}; {swiftnn.get_num_threads()} threads", flush=True)
    settings = dict(model=net, optim="Adam", lr=args.lr, l2=1e-4, epoch=args.epochs, clip=1.0,
                    train_batch_size=args.batch_size, test_batch_size=500, seed=None,
                    test_every_epoch=args.test_every_epoch, progress=not args.quiet)
    start = time.time()
    _, result = experiment(partition, argparse.Namespace(**settings))
    print(f"final accuracy: train {result['train_acc']:.2f}%, val {result['val_acc']:.2f}%, "
          f"test {result['test_acc']:.2f}% ({time.time() - start:.1f} s)")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "result.json"), "w") as f:
        json.dump({k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in result.items()}, f, indent=1)
    names = ("loss_variation.png", "acc_variation.png", "confusion.png", "predictions.png")
    paths = [os.path.abspath(os.path.join(args.out, name)) for name in names]
    try:
        plot_loss_variation(result, paths[0])
        plot_acc_variation(result, paths[1])
        plot_confusion_matrix(result["confusion"], list(result["class_accs"]), paths[2])
        plot_predictions(net, partition["test"], list(result["class_accs"]), paths[3])
    except ImportError as error:
        print(f"no plots: {error}", file=sys.stderr)
        return 0
    print("Wrote:\n" + "\n".join(f"  {path}" for path in paths))
    return 0


def plot_predictions(net, testset, classes, path, count=32, columns=8):
    """The first `count` test images tiled with make_grid, each captioned with its predicted class
    (green when right; red when wrong, followed by the true class)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    samples = [testset[i] for i in range(min(count, len(testset)))]
    images = swiftnn.stack([image for image, _ in samples])
    net.eval()
    with swiftnn.no_grad():
        predicted = swiftnn.argmax(net(images), 1)
    padding = 2
    grid = make_grid(images, nrow=columns, padding=padding, normalize=True).numpy().transpose(1, 2, 0)
    height, width = images.shape[2] + padding, images.shape[3] + padding
    fig, ax = plt.subplots(figsize=(columns * 1.3, -(-len(samples) // columns) * 1.45))
    ax.imshow(grid, interpolation="nearest")
    for k, (_, label) in enumerate(samples):
        row, column = divmod(k, columns)
        guess = int(predicted[k])
        caption = classes[guess] if guess == label else f"{classes[guess]} ({classes[label]})"
        ax.text(column * width + padding + width / 2 - 1, row * height + padding - 0.4, caption, ha="center",
                va="bottom", fontsize=9, fontweight="bold", color="green" if guess == label else "red")
    ax.set_axis_off()
    correct = sum(int(predicted[k]) == label for k, (_, label) in enumerate(samples))
    fig.suptitle(f"Test images and predicted classes ({correct}/{len(samples)} right; "
                 "red: wrong, with the true class in brackets)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
