"""Key prefixes in state dicts: `nn.DataParallel` / DistributedDataParallel save every
key under "module.", which a plain model does not expect."""
from collections import OrderedDict


def consume_prefix_in_state_dict_if_present(state_dict, prefix):
    """Strips `prefix` from every key that has it, in place (keeping order), as
    `torch.nn.modules.utils.consume_prefix_in_state_dict_if_present` does; also in
    the `_metadata` keys when present."""
    keys = list(state_dict.keys())
    for key in keys:
        if key.startswith(prefix):
            state_dict[key[len(prefix):]] = state_dict.pop(key)
    if isinstance(state_dict, OrderedDict):
        # pop + insert moved stripped keys to the end; restore the original order
        for key in keys:
            new_key = key[len(prefix):] if key.startswith(prefix) else key
            state_dict.move_to_end(new_key)
    metadata = getattr(state_dict, "_metadata", None)
    if isinstance(metadata, dict):
        for key in list(metadata):
            if key == prefix.rstrip("."):
                metadata[""] = metadata.pop(key)
            elif key.startswith(prefix):
                metadata[key[len(prefix):]] = metadata.pop(key)


def prefix_hint(missing, unexpected, prefix="module."):
    """A sentence explaining keys saved from a DataParallel model, or "" when that is not the case."""
    if not unexpected or not all(k.startswith(prefix) for k in unexpected):
        return ""
    if not {k[len(prefix):] for k in unexpected} & set(missing):
        return ""
    return (f'The unexpected keys all start with "{prefix}": the checkpoint was saved from a model wrapped in '
            "nn.DataParallel / DistributedDataParallel. Strip the prefix with "
            f'swiftnn.nn.utils.consume_prefix_in_state_dict_if_present(state_dict, "{prefix}") before loading.')
