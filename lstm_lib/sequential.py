"""A stack of layers sharing one flat parameter vector.

``Sequential([LSTM(1, 2), LastStep(), Dense(2, 1)])`` chains ``forward`` left to right and
``backward`` right to left. On construction the layers' parameters are moved into one vector
``theta`` (gradients ``dtheta``), so optimizers and clipping are a few vector operations; each layer
keeps working on its own slice. ``params``/``grads`` are keyed ``"<index>.<name>"``, e.g. ``"0.W_in"``.
"""
from .backend import get_array_module


class Sequential:
    """Layers applied in order; (B, T, D) or (B, D) in, the last layer's output out."""

    def __init__(self, layers):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("layers must be a non-empty list of layers, got an empty list")
        for k, (a, b) in enumerate(zip(self.layers, self.layers[1:])):
            if None not in (a.output_size, b.input_size) and a.output_size != b.input_size:
                raise ValueError(f"layer {k + 1} expects input size {b.input_size} but layer {k} "
                                 f"outputs size {a.output_size}")
        first = self.layers[0].theta
        xp = get_array_module(first)
        for k, layer in enumerate(self.layers):
            if get_array_module(layer.theta) is not xp or layer.theta.dtype != first.dtype:
                raise TypeError(f"layer {k} holds {layer.theta.dtype} on {get_array_module(layer.theta).__name__}"
                                f" but layer 0 holds {first.dtype} on {xp.__name__}: all layers must match")
        self.xp = xp
        self.theta = xp.concatenate([layer.theta for layer in self.layers])
        self.dtheta = xp.zeros_like(self.theta)
        offset = 0
        for layer in self.layers:
            n = layer.theta.size
            layer.bind(self.theta[offset:offset + n], self.dtheta[offset:offset + n])
            offset += n
        self.params = {f"{k}.{n}": v for k, layer in enumerate(self.layers) for n, v in layer.params.items()}
        self.grads = {f"{k}.{n}": v for k, layer in enumerate(self.layers) for n, v in layer.grads.items()}
        self.input_size = self.layers[0].input_size
        self.output_size = self.layers[-1].output_size

    def forward(self, x):
        """Run every layer on the whole input; recurrent layers start from zero state."""
        x = self.layers[0].check_input(x)   # validated once: later inputs come from the layers
        for layer in self.layers:
            x = layer.forward(x, validate=False)
        return x

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
