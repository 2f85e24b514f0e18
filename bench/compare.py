"""swiftnn next to PyTorch on this machine (`make bench-compare`): images/s of a
training step (forward + CrossEntropy + backward + SGD with momentum and weight
decay) and of eval-mode inference, per model, the same thread count for both;
the median latency of batch-1 inference (eval, no_grad); the peak RSS of the
training loop. The header names the CPU, swiftnn's kernel path (SWIFTNN_ISA)
and PyTorch's CPU capability.

Each framework runs the model in its own process, so thread settings and memory
peaks do not leak between them. PyTorch comes from its own virtualenv
(`make bench-torch-setup` creates .venv-torch); without it only the swiftnn
column is printed.

The two processes take turns of --turn-seconds (at least one step each),
swiftnn and PyTorch alternating (A B B A ...) until each has run --seconds, and
the rate is the batch over the median step of all turns. On a shared machine a
burst of load from elsewhere then lands on both sides of a ratio alike, where
one long run per framework would hand it to one side. With --rounds N the whole measurement is
repeated N times and each cell gives the median over the rounds and each ratio
its range.

    python bench/compare.py [--torch-python PATH] [--threads 2] [--models a,b] [--seconds 10] [--rounds 1] [--turn-seconds 0.25]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

# name: (swiftnn constructor call, batch size)
MODELS = {
    "MLPnet": ("MLPnet()", 128),
    "normal_CNN": ("normal_CNN()", 128),
    "MLP_Mixer": ("MLP_Mixer(patch_size=4, C=128, N=6)", 128),
    "VGG11": ("VGG11(cifar=True)", 128),
    "ResNet-50": ("Resnet()", 32),
    "DenseNet-BC-100": ("Densenet(layers=100, growth_rate=12)", 128),
}


# ---- the same architectures in PyTorch (written from the reference documents) ----
TORCH_MODELS = r'''
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLPnet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.dropout, self.fc3 = nn.Linear(3072, 128), nn.Linear(128, 64), nn.Dropout(0.5), nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.fc2(F.relu(self.fc1(torch.flatten(x, 1)))))
        return self.fc3(self.dropout(x))


class normal_CNN(nn.Module):
    def __init__(self, kernels=(16, 16, 'p', 32, 32, 'p', 64, 64, 'p', 128, 128, 'p', 256, 256)):
        super().__init__()
        layers, c = [], 3
        for k in kernels:
            if k == 'p':
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(c, k, 3, padding=1), nn.BatchNorm2d(k), nn.ReLU()]
                c = k
        self.features, self.classifier = nn.Sequential(*layers), nn.Linear(c, 10)

    def forward(self, x):
        return self.classifier(F.adaptive_avg_pool2d(self.features(x), 1).flatten(1))


class MixerBlock(nn.Module):
    def __init__(self, patches, c):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(c), nn.LayerNorm(c)
        self.token_mixing = nn.Sequential(nn.Linear(patches, c // 2), nn.GELU(), nn.Linear(c // 2, patches))
        self.channel_mixing = nn.Sequential(nn.Linear(c, 4 * c), nn.GELU(), nn.Linear(4 * c, c))

    def forward(self, x):
        x = x + self.token_mixing(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.channel_mixing(self.norm2(x))


class MLP_Mixer(nn.Module):
    def __init__(self, patch_size=4, C=128, N=6):
        super().__init__()
        patches = (32 // patch_size) ** 2
        self.patch_embedding = nn.Conv2d(3, C, patch_size, stride=patch_size)
        self.mixer_layers = nn.Sequential(*[MixerBlock(patches, C) for _ in range(N)])
        self.norm, self.classifier = nn.LayerNorm(C), nn.Linear(C, 10)

    def forward(self, x):
        x = self.patch_embedding(x).flatten(2).transpose(1, 2)
        return self.classifier(self.norm(self.mixer_layers(x)).mean(1))


def VGG11(cifar=True):
    layers, c = [], 3
    for v in [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M']:
        if v == 'M':
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU()]
            c = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Dropout(0.5), nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


class Bottleneck(nn.Module):
    def __init__(self, inp, planes, stride=1):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(inp, planes, 1, bias=False), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False), nn.BatchNorm2d(planes)
        self.conv3, self.bn3 = nn.Conv2d(planes, 4 * planes, 1, bias=False), nn.BatchNorm2d(4 * planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or inp != 4 * planes:
            self.shortcut = nn.Sequential(nn.Conv2d(inp, 4 * planes, 1, stride, bias=False), nn.BatchNorm2d(4 * planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        return F.relu(self.bn3(self.conv3(out)) + self.shortcut(x))


class Resnet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64)
        blocks, inp = [], 64
        for stage, count in enumerate([3, 4, 6, 3]):
            planes = 64 << stage
            for i in range(count):
                blocks.append(Bottleneck(inp, planes, 2 if i == 0 and stage > 0 else 1))
                inp = 4 * planes
        self.layers, self.fc = nn.Sequential(*blocks), nn.Linear(2048, 10)

    def forward(self, x):
        x = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


class DenseLayer(nn.Module):
    def __init__(self, inp, growth, drop):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(inp), nn.Conv2d(inp, 4 * growth, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(4 * growth), nn.Conv2d(4 * growth, growth, 3, padding=1, bias=False)
        self.dropout = nn.Dropout(drop)

    def forward(self, x):
        out = self.dropout(self.conv1(F.relu(self.bn1(x))))
        out = self.dropout(self.conv2(F.relu(self.bn2(out))))
        return torch.cat([x, out], 1)


class Densenet(nn.Module):
    def __init__(self, layers=100, growth_rate=12, compression=0.5, drop=0.2):
        super().__init__()
        n = (layers - 4) // 3 // 2
        planes = 2 * growth_rate
        mods = [nn.Conv2d(3, planes, 3, padding=1, bias=False)]
        for block in range(3):
            for i in range(n):
                mods.append(DenseLayer(planes + i * growth_rate, growth_rate, drop))
            planes += n * growth_rate
            if block < 2:
                out = int(math.floor(planes * compression))
                mods += [nn.BatchNorm2d(planes), nn.ReLU(), nn.Conv2d(planes, out, 1, bias=False), nn.Dropout(drop),
                         nn.AvgPool2d(2)]
                planes = out
        self.features = nn.Sequential(*mods, nn.BatchNorm2d(planes), nn.ReLU())
        self.fc = nn.Linear(planes, 10)

    def forward(self, x):
        return self.fc(F.adaptive_avg_pool2d(self.features(x), 1).flatten(1))


TORCH_CALLS = {"MLPnet": "MLPnet()", "normal_CNN": "normal_CNN()", "MLP_Mixer": "MLP_Mixer()", "VGG11": "VGG11()",
               "ResNet-50": "Resnet()", "DenseNet-BC-100": "Densenet()"}
'''


class Workload:
    """Runs in a child process: one framework's model, its optimizer and its data,
    timed a turn at a time as the parent asks."""

    def __init__(self, framework, model_name, threads):
        import numpy as np
        self.batch = MODELS[model_name][1]
        rng = np.random.default_rng(0)
        x_np = rng.standard_normal((self.batch, 3, 32, 32), dtype=np.float32)
        y_np = rng.integers(0, 10, self.batch)
        if framework == "torch":
            import torch
            torch.set_num_threads(threads)
            torch.manual_seed(0)
            namespace = {}
            exec(TORCH_MODELS, namespace)
            self.model = eval(namespace["TORCH_CALLS"][model_name], namespace)
            self.x, self.y = torch.from_numpy(x_np), torch.from_numpy(y_np)
            self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
            self.criterion = torch.nn.CrossEntropyLoss()
            self.no_grad = torch.no_grad
            self.one = torch.from_numpy(x_np[:1].copy())
            self.capability = torch.backends.cpu.get_cpu_capability()
        else:
            import swiftnn
            swiftnn.set_num_threads(threads)
            swiftnn.manual_seed(0)
            self.model = eval("swiftnn.models." + MODELS[model_name][0], {"swiftnn": swiftnn})
            self.x, self.y = swiftnn.tensor(x_np), y_np
            self.optimizer = swiftnn.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
            self.criterion = swiftnn.nn.CrossEntropyLoss()
            self.no_grad = swiftnn.no_grad
            self.one = swiftnn.tensor(x_np[:1])
            self.capability = swiftnn.config()["isa"]
        self.warmed_up = set()

    def train_step(self):
        self.optimizer.zero_grad()
        loss = self.criterion(self.model(self.x), self.y)
        loss.backward()
        self.optimizer.step()

    def infer(self):
        with self.no_grad():
            self.model(self.x)

    def infer_one(self):
        with self.no_grad():
            self.model(self.one)

    def times(self, phase, seconds, least):
        """Seconds of each step of `phase` over `seconds`, at least `least` steps.
        The first turn of a phase starts with an untimed warm-up step."""
        self.model.train(phase == "train")
        step = {"train": self.train_step, "eval": self.infer, "latency": self.infer_one}[phase]
        if phase not in self.warmed_up:
            step()
            self.warmed_up.add(phase)
        times, start = [], time.perf_counter()
        while len(times) < least or time.perf_counter() - start < seconds:
            began = time.perf_counter()
            step()
            times.append(time.perf_counter() - began)
        return times


def serve(framework, model_name, threads):
    """The child's loop: one JSON request per line on stdin, one JSON answer per line on stdout."""
    workload = Workload(framework, model_name, threads)
    print(json.dumps({"capability": workload.capability, "batch": workload.batch}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        times = workload.times(request["phase"], request["seconds"], request["least"])
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"times": times, "rss_mb": rss_mb}), flush=True)


class ChildFailed(Exception):
    pass


class Side:
    """One framework's model in its own process, so thread settings and memory
    peaks do not leak between the two; it waits on a pipe between turns."""

    def __init__(self, python, framework, model, threads):
        env = dict(os.environ)
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "SWIFTNN_NUM_THREADS"):
            env[name] = str(threads)
        command = [python, __file__, "--child", framework, "--models", model, "--threads", str(threads)]
        # stderr to a file: warnings filling a pipe nobody reads would stall the child
        self.errors = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.errors, text=True)
        self.hello = self.answer()

    def answer(self):
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            self.errors.seek(0)
            lines = self.errors.read().strip().splitlines()
            raise ChildFailed(lines[-1] if lines else f"exit {self.process.returncode}")
        return json.loads(line)

    def turn(self, phase, seconds, least):
        time.sleep(0.005)  # lets the other side's spinning workers park first
        self.process.stdin.write(json.dumps({"phase": phase, "seconds": seconds, "least": least}) + "\n")
        self.process.stdin.flush()
        return self.answer()

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait()
        self.errors.close()


# phase: (share of --seconds, fewest steps per round)
PHASES = {"train": (1.0, 3), "eval": (1.0, 3), "latency": (0.5, 30)}


def measure_model(sides, rounds, turn_seconds, seconds):
    """Each round times both sides in alternating turns of about `turn_seconds` per
    phase (A B B A A B ...; a turn runs at least one step) until each side has run
    the phase for its share of `seconds` and its fewest steps, so outside load lands
    on both sides alike. Returns, per round, each side's figures from the median of
    the round's steps."""
    batch = sides[0].hello["batch"]
    results = [tuple({} for _ in sides) for _ in range(rounds)]
    for phase, (share, least) in PHASES.items():
        for figures in results:
            times = [[] for _ in sides]
            index = 0
            while index < 2 or any(sum(t) < seconds * share or len(t) < least for t in times):
                order = range(len(sides)) if index % 2 == 0 else reversed(range(len(sides)))
                for s in order:
                    answer = sides[s].turn(phase, turn_seconds, 1)
                    times[s] += answer["times"]
                    if phase == "train":
                        figures[s]["rss_mb"] = answer["rss_mb"]
                index += 1
            for s, side_times in enumerate(times):
                middle = statistics.median(side_times)
                figures[s]["latency_ms" if phase == "latency" else phase] = (
                    middle * 1e3 if phase == "latency" else batch / middle)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torch-python", default=os.path.join(os.path.dirname(__file__), "..", ".venv-torch", "bin", "python"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--seconds", type=float, default=8.0, help="measuring time per figure and round")
    parser.add_argument("--rounds", type=int, default=1, help="repeated measurements per model")
    parser.add_argument("--turn-seconds", type=float, default=0.25,
                        help="length of each framework's turn (at least one step)")
    parser.add_argument("--child", choices=["swiftnn", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    models = args.models.split(",")
    if args.child:
        serve(args.child, models[0], args.threads)
        return
    have_torch = os.path.exists(args.torch_python)
    if not have_torch:
        print(f"(no PyTorch at {args.torch_python}: run `make bench-torch-setup` for the comparison)")
    import swiftnn
    config = swiftnn.config()
    print(f"CPU: {config['cpu']}; swiftnn kernels: {config['isa']} (supported: {', '.join(config['supported_isas'])})")
    print(f"threads: {args.threads}; images/s (batch 128, ResNet-50 batch 32; 32x32 inputs) of the median step; "
          f"batch-1 latency: median ms; ratios > 1 mean swiftnn is faster; the two frameworks alternate "
          f"in turns of {args.turn_seconds:g} s"
          + (f"; median of {args.rounds} rounds, ratios with their range" if args.rounds > 1 else ""))
    width = 7 if args.rounds == 1 else 17
    header = f"{'model':<18}{'train swiftnn':>14}{'train torch':>13}{'ratio':>{width}}{'eval swiftnn':>14}{'eval torch':>12}{'ratio':>{width}}"
    print(header + f"{'b1 ms swiftnn':>14}{'b1 ms torch':>12}{'ratio':>{width}}{'RSS MB s/t':>16}")
    torch_capability_shown = False
    for model in models:
        sides = []
        try:
            sides.append(Side(sys.executable, "swiftnn", model, args.threads))
        except ChildFailed as failure:
            print(f"{model:<18} swiftnn failed: {failure}")
            continue
        torch_failure = None
        if have_torch:
            try:
                sides.append(Side(args.torch_python, "torch", model, args.threads))
            except ChildFailed as failure:
                torch_failure = failure
        try:
            rounds = measure_model(sides, args.rounds, args.turn_seconds, args.seconds)
        except ChildFailed as failure:
            print(f"{model:<18} failed while measuring: {failure}")
            continue
        finally:
            for side in sides:
                side.close()
        if len(sides) > 1 and not torch_capability_shown:
            print(f"(PyTorch CPU capability: {sides[1].hello['capability']})")
            torch_capability_shown = True
        print(f"{model:<18}" + row([r if len(r) > 1 else (r[0], {}) for r in rounds], width), flush=True)
        if torch_failure:
            print(f"{'':<18} torch failed: {torch_failure}")


def row(rounds, width):
    """The table cells for one model: medians over the rounds, ratios with their range."""
    def median(side, key):
        values = [r[side][key] for r in rounds if key in r[side]]
        return statistics.median(values) if values else None

    def cell(side, key, fmt="{:.1f}"):
        value = median(side, key)
        return fmt.format(value) if value is not None else "-"

    def ratio(key, faster_is_smaller=False):
        pairs = [(r[0][key], r[1][key]) for r in rounds if key in r[0] and key in r[1]]
        if not pairs:
            return "-"
        ratios = sorted(t / o if faster_is_smaller else o / t for o, t in pairs)
        text = f"{statistics.median(ratios):.2f}"
        return text if len(ratios) == 1 else f"{text} ({ratios[0]:.2f}-{ratios[-1]:.2f})"

    return (f"{cell(0, 'train'):>14}{cell(1, 'train'):>13}{ratio('train'):>{width}}"
            f"{cell(0, 'eval'):>14}{cell(1, 'eval'):>12}{ratio('eval'):>{width}}"
            f"{cell(0, 'latency_ms', '{:.2f}'):>14}{cell(1, 'latency_ms', '{:.2f}'):>12}"
            f"{ratio('latency_ms', faster_is_smaller=True):>{width}}"
            f"{cell(0, 'rss_mb', '{:.0f}') + '/' + cell(1, 'rss_mb', '{:.0f}'):>16}")


if __name__ == "__main__":
    main()
