"""Optimizers and gradient clipping over a model's flat parameter vector.

A model is anything with ``theta`` (1-D parameters) and ``dtheta`` (their gradients): a layer or a
``Sequential``. ``update(model)`` applies one step in place.

    SGD:   v <- momentum * v - lr * g;            theta <- theta + v
    Adam:  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
           theta <- theta - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
"""
from .backend import get_array_module
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
        self._work = theta * 0
        self._xp = get_array_module(theta)

    def _step(self, theta, g):
        xp = self._xp
        xp.multiply(self.v, self.momentum, self.v)
        xp.subtract(self.v, xp.multiply(g, self.lr, self._work), self.v)
        xp.add(theta, self.v, theta)


class Adam(_Optimizer):
    """Adam (Kingma & Ba) with bias correction; defaults lr=1e-3, betas 0.9/0.999, eps=1e-8."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = real(beta1, "beta1", 0, 1, include_low=True)
        self.beta2 = real(beta2, "beta2", 0, 1, include_low=True)
        self.eps = real(eps, "eps", 0)

    def _init_state(self, theta):
        self.m, self.v, self.t = theta * 0, theta * 0, 0
        self._work = (theta * 0, theta * 0)
        self._constants = (None, ())
        self._xp = get_array_module(theta)

    def _step(self, theta, g):
        xp = self._xp
        add, mul = xp.add, xp.multiply
        hyper = (self.beta1, self.beta2, self.eps)
        if self._constants[0] != hyper:   # 0-d arrays of theta's dtype: cheaper operands than floats
            self._constants = (hyper, [xp.asarray(c, dtype=theta.dtype) for c in
                                       (self.beta1, 1 - self.beta1, self.beta2, 1 - self.beta2, self.eps)])
        b1, one_minus_b1, b2, one_minus_b2, eps = self._constants[1]
        m, v, (a, b) = self.m, self.v, self._work
        self.t += 1
        mul(m, b1, m)
        add(m, mul(g, one_minus_b1, a), m)                # m <- b1 m + (1 - b1) g
        mul(v, b2, v)
        add(v, mul(mul(g, g, a), one_minus_b2, a), v)     # v <- b2 v + (1 - b2) g^2
        denom = add(xp.sqrt(xp.divide(v, 1 - self.beta2 ** self.t, a), a), eps, a)
        step = self.lr / (1 - self.beta1 ** self.t)
        xp.subtract(theta, xp.divide(mul(m, step, b), denom, b), theta)


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
