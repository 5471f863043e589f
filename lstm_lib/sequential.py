"""A stack of layers sharing one flat parameter vector.

``Sequential([LSTM(1, 2), LastStep(), Dense(2, 1)])`` chains ``forward`` left to right and
``backward`` right to left. On construction the layers' parameters are moved into one vector
``theta`` (gradients ``dtheta``), so optimizers and clipping are a few vector operations; each layer
keeps working on its own slice. ``params``/``grads`` are keyed ``"<index>.<name>"``, e.g. ``"0.W_in"``.
A layer belongs to one model, in one position; ``copy.deepcopy(model)`` copies the whole stack.
"""
from .backend import get_array_module
from .layer import Layer


def _ndim_names(ndims):
    return " or ".join(f"{n}-D" for n in sorted(ndims))


class Sequential:
    """Layers applied in order; (B, T, D) or (B, D) in, the last layer's output out."""

    def __init__(self, layers):
        self.layers, self._input_ndims = _checked(layers)
        xp = self.xp = get_array_module(self.layers[0].theta)
        self.theta = xp.concatenate([layer.theta for layer in self.layers])
        self.dtheta = xp.zeros_like(self.theta)
        self._bind_layers()
        self.input_size = self.layers[0].input_size
        self.output_size = self.layers[-1].output_size

    def _bind_layers(self):
        """Make each layer work on its slice of ``theta``/``dtheta``; key ``params``/``grads`` by position."""
        offset = 0
        for layer in self.layers:
            n = layer.theta.size
            layer.bind(self.theta[offset:offset + n], self.dtheta[offset:offset + n])
            offset += n
        self.params = {f"{k}.{n}": v for k, layer in enumerate(self.layers) for n, v in layer.params.items()}
        self.grads = {f"{k}.{n}": v for k, layer in enumerate(self.layers) for n, v in layer.grads.items()}

    def __getstate__(self):
        """What ``copy.deepcopy`` and ``pickle`` store: everything but the module and the views."""
        state = self.__dict__.copy()
        for name in ("xp", "params", "grads"):
            del state[name]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.xp = get_array_module(self.theta)
        self._bind_layers()                 # the copied layers work on slices of the copied vector

    def forward(self, x, *, validate=True):
        """Run every layer on the whole input; recurrent layers start from zero state.

        ``validate=False`` trusts ``x`` to be checked already and to stay unchanged while the
        model keeps it (``fit`` passes slices of its own shuffled copy of the data).
        """
        checked = x
        if validate:
            checked = self.layers[0].check_input(x)   # once: later inputs come from the layers
            if checked.ndim not in self._input_ndims:
                raise ValueError(f"x must be {_ndim_names(self._input_ndims)} for this model's "
                                 f"layers, got shape {tuple(checked.shape)}")
            if checked is x or checked.base is not None:
                checked = checked.copy()          # the layers may keep it: the model's own copy
        for layer in self.layers:
            checked = layer.forward(checked, validate=False)
        return checked if checked.base is None else checked.copy()   # no view of a layer's cache

    def step(self, x_t):
        """One time step (B, D) through every layer, continuing the previous step."""
        for layer in self.layers:
            x_t = layer.step(x_t)
        return x_t

    def backward(self, dout):
        """dL/d(output) (shape of the last output, (B, T, O) after steps) -> dL/dx; fills ``grads``."""
        last = self.layers[-1]
        dout = last.backward(dout)
        for layer in reversed(self.layers[:-1]):
            dout = layer.backward(dout, validate=False)
        return dout

    def truncate(self):
        """Forget every layer's running state and history."""
        for layer in self.layers:
            layer.truncate()


def _checked(layers):
    """``layers`` as a list of distinct layers, of one module and dtype, that belong to no other model
    and fit together (ndims and sizes), and the input ndims the chain accepts.

    A layer of size None (``LastStep()``) takes the size that reaches it (the model's input size when first).
    """
    try:
        layers = list(layers)
    except TypeError:
        raise TypeError(f"layers must be a list of layers, got {type(layers).__name__}") from None
    if not layers:
        raise ValueError("layers must be a non-empty list of layers, got an empty list")
    for k, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(f"layers[{k}] must be a layer (lstm_lib.RNN, LSTM, Dense, LastStep, ...), "
                            f"got {type(layer).__name__}")
        for j in range(k):
            if layers[j] is layer:
                raise ValueError(f"layers[{k}] is the same {type(layer).__name__} object as layers[{j}]: "
                                 "a layer holds one position in one model, create another layer")
        if layer.theta.base is not None:
            raise ValueError(f"layers[{k}] ({type(layer).__name__}) already belongs to another model (its "
                             "parameters are a slice of that model's theta): create a new layer or pass "
                             "copy.deepcopy(layer)")
        first, xp = layers[0].theta, get_array_module(layers[0].theta)    # layers[0] checked above
        if get_array_module(layer.theta) is not xp or layer.theta.dtype != first.dtype:
            raise TypeError(f"layers[{k}] holds {layer.theta.dtype} on {get_array_module(layer.theta).__name__}"
                            f" but layers[0] holds {first.dtype} on {xp.__name__}: all layers must match")
    ndims = dict(layers[0].ndims)            # model input ndim -> output ndim of the layers so far
    for k, layer in enumerate(layers[1:], 1):
        reaching = set(ndims.values())
        ndims = {n0: layer.ndims[n] for n0, n in ndims.items() if n in layer.ndims}
        if not ndims:
            raise ValueError(f"layers[{k}] ({type(layer).__name__}) takes {_ndim_names(layer.ndims)} input but "
                             f"layers[{k - 1}] ({type(layers[k - 1]).__name__}) outputs {_ndim_names(reaching)}")
    size = next((layer.input_size for layer in layers if layer.input_size is not None), None)
    sizes = []                               # the input size of each layer
    for k, layer in enumerate(layers):
        sizes.append(size)
        if layer.input_size is None:         # passes its input through
            continue
        if layer.input_size != size:
            raise ValueError(f"layers[{k}] ({type(layer).__name__}) expects input size {layer.input_size} "
                             f"but layers[{k - 1}] ({type(layers[k - 1]).__name__}) outputs size {size}")
        size = layer.output_size
    for layer, size in zip(layers, sizes):
        if layer.input_size is None:
            layer.input_size = layer.output_size = size
    return layers, tuple(ndims)
