"""Optimizers and gradient clipping over a model's flat parameter vector.

A model is anything with ``theta`` (1-D parameters) and ``dtheta`` (their gradients): a layer or a
``Sequential``. ``update(model)`` applies one step in place.

    SGD:   v <- momentum * v - lr * g;            theta <- theta + v
    Adam:  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
           theta <- theta - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
"""
from .checks import real, trainable


class _Optimizer:
    def __init__(self, lr):
        self.lr = real(lr, "lr", 0)
        self._theta = None

    def _bind(self, model):
        if self._theta is None:
            self._theta = trainable(model).theta
            self._init_state(model.theta)
        elif model.theta is not self._theta:
            raise ValueError("this optimizer already holds state for another model; "
                             "create one optimizer per model")

    def update(self, model):
        """One step on ``model.theta`` from ``model.dtheta``."""
        self._bind(model)
        self._step(model.theta, model.dtheta)


class SGD(_Optimizer):
    """Stochastic gradient descent with (heavy-ball) momentum."""

    def __init__(self, lr=0.01, momentum=0.0):
        super().__init__(lr)
        self.momentum = real(momentum, "momentum", 0, 1, include_low=True)

    def _init_state(self, theta):
        self.v = theta * 0

    def _step(self, theta, g):
        self.v *= self.momentum
        self.v -= self.lr * g
        theta += self.v


class Adam(_Optimizer):
    """Adam (Kingma & Ba) with bias correction; defaults lr=1e-3, betas 0.9/0.999, eps=1e-8."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = real(beta1, "beta1", 0, 1, include_low=True)
        self.beta2 = real(beta2, "beta2", 0, 1, include_low=True)
        self.eps = real(eps, "eps", 0)

    def _init_state(self, theta):
        self.m, self.v, self.t = theta * 0, theta * 0, 0

    def _step(self, theta, g):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        self.m *= b1
        self.m += (1 - b1) * g
        self.v *= b2
        self.v += (1 - b2) * (g * g)
        step = self.lr / (1 - b1 ** self.t)
        denom = (self.v / (1 - b2 ** self.t)) ** 0.5
        denom += self.eps
        theta -= step * self.m / denom


def clip_grad_norm(model, max_norm):
    """Rescale ``model.dtheta`` in place so that its L2 norm is at most ``max_norm``.

    Returns the norm before clipping; directions are unchanged.
    """
    max_norm = real(max_norm, "max_norm", 0)
    g = model.dtheta
    norm = float((g @ g) ** 0.5)
    if norm > max_norm:
        g *= max_norm / norm
    return norm
