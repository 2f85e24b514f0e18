"""Command line: a zoo model with its weights to ONNX, without writing Python.

    python -m swiftnn.onnx --model ResNet18 --weights resnet18.pth --onnx resnet18.onnx
        [--config '{"num_classes": 10}'] [--input-shape 3,32,32] [--opset 17] [--static-batch]

--weights takes a PyTorch checkpoint (.pt/.pth, a state dict) or a safetensors file."""
import argparse
import json
import sys

import numpy as np

from .. import load, models
from . import export


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m swiftnn.onnx", description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, choices=models.available_models())
    parser.add_argument("--config", default="{}", help="model keyword arguments as JSON")
    parser.add_argument("--weights", help="state dict to load first (.pt/.pth or .safetensors)")
    parser.add_argument("--onnx", required=True, help="output file")
    parser.add_argument("--input-shape", default="3,32,32", help="one sample's shape, e.g. 3,227,227")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--static-batch", action="store_true", help="fix the batch size to 1")
    args = parser.parse_args(argv)
    try:
        config = json.loads(args.config)
        shape = tuple(int(n) for n in args.input_shape.split(","))
    except ValueError as error:
        parser.error(f"bad --config or --input-shape: {error}")
    model = getattr(models, args.model)(**config)
    if args.weights:
        model.load_state_dict(load(args.weights))
    dynamic = None if args.static_batch else {"input": {0: "batch"}, "output": {0: "batch"}}
    export(model, np.zeros((1, *shape), np.float32), args.onnx, opset_version=args.opset, dynamic_axes=dynamic)
    print(f"wrote {args.onnx}", file=sys.stderr)


if __name__ == "__main__":
    main()
