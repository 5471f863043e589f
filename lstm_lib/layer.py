"""Base class of every layer: parameters in one flat vector, named views, and stepwise histories.

A layer's parameters live in ``theta`` (1-D) and their gradients in ``dtheta``; ``params`` and
``grads`` map the book's names (``W_xh``, ``R_in``, ...) to reshaped views of them, so an optimizer
updates a whole model with a few vector operations and writing ``params[name]`` changes the model.

Subclasses implement ``_forward(x, state) -> (y, cache, final_state)`` and
``_backward(dout, cache, dfinal) -> (dx, dinitial)`` for a whole sequence, plus ``_merge(caches)``
which joins the caches of consecutive calls. ``forward`` runs one sequence; ``step`` runs one time step
that continues the previous call, and ``backward`` then differentiates the whole run since the last
``truncate()`` (or ``forward``), exactly as if it had been one sequence.

A layer owns what its backward pass needs: the caller may change its input, its states or the
returned output afterwards without changing any later result. Layers deep-copy and pickle.
"""
from .backend import get_array_module, xp_default
from .checks import float_array, float_dtype, shape


def _owner(a, xp):
    """id of the object that owns the memory of array ``a``: arrays with different owners share none."""
    base = a.base
    while isinstance(base, xp.ndarray) and base.base is not None:
        base = base.base
    return id(a if base is None else base)


class Layer:
    #: names of the recurrent state arrays (e.g. ("h0", "c0")); empty for feed-forward layers
    state_names = ()
    #: input ndim -> output ndim of ``forward``; ``Sequential`` checks its chain of layers with it
    ndims = {3: 3}

    def __init__(self, blocks, dtype):
        """Allocate ``theta`` for ``blocks``: a list of (name, shape, host array) filled in order."""
        dtype = float_dtype(dtype)
        xp = xp_default()
        sizes = [int(a.size) for _, _, a in blocks]
        theta = xp.empty(sum(sizes), dtype=dtype)
        offset = 0
        for (_, _, values), n in zip(blocks, sizes):
            theta[offset:offset + n] = xp.asarray(values.reshape(-1), dtype=dtype)
            offset += n
        self._blocks = [(name, tuple(shp)) for name, shp, _ in blocks]
        self.bind(theta, xp.zeros_like(theta))
        self.truncate()

    # -- parameters -----------------------------------------------------------------------------
    def bind(self, theta, dtheta):
        """Make ``theta``/``dtheta`` (1-D, already holding the values) this layer's storage."""
        self.theta, self.dtheta = theta, dtheta
        self.xp = get_array_module(theta)
        self._p, self._g, offset = {}, {}, 0
        for name, shp in self._blocks:
            n = 1
            for s in shp:
                n *= s
            self._p[name] = theta[offset:offset + n].reshape(shp)
            self._g[name] = dtheta[offset:offset + n].reshape(shp)
            offset += n
        self.params, self.grads = self._named_views(self._p), self._named_views(self._g)

    def __getstate__(self):
        """What ``copy.deepcopy`` and ``pickle`` store: everything but the module, the views and the
        scratch buffers a layer reallocates on demand (``_work``)."""
        state = self.__dict__.copy()
        for name in ("xp", "_p", "_g", "params", "grads"):
            del state[name]
        state.pop("_work", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.bind(self.theta, self.dtheta)

    def _named_views(self, blocks):
        """Public name -> view; layers with fused storage split blocks here."""
        return dict(blocks)

    @property
    def dtype(self):
        return self.theta.dtype

    # -- running --------------------------------------------------------------------------------
    def check_input(self, x, name="x"):
        """``x`` as a finite array of this layer's dtype and module, shaped (B, T, D); else an error."""
        x = float_array(x, name, self.xp, self.dtype)
        return shape(x, name, (None, None, self.input_size))

    def _states(self, given, batch, names):
        xp = self.xp
        out = []
        for value, name in zip(given, names):
            if value is None:
                out.append(xp.zeros((batch, self.hidden_size), dtype=self.dtype))
            else:
                out.append(shape(float_array(value, name, xp, self.dtype), name, (batch, self.hidden_size)))
        return tuple(out)

    def forward(self, x, *state, validate=True):
        """Run a whole sequence ``x`` (B, T, D) from ``state`` (zeros when None); see the subclass.

        ``validate=False`` is the ``Sequential`` path: the model checks its input once, hands each
        layer an array of the right dtype, module and shape that the layer may keep (its own copy or
        the previous layer's output) and makes what it returns its own. Otherwise ``_run`` does that.
        """
        if validate:
            x = self.check_input(x)
        state = self._states(state + (None,) * (len(self.state_names) - len(state)), x.shape[0],
                             self.state_names)
        self._caches = []                   # free the previous run's cache before building the next
        if validate:
            y, cache = self._run(x, state, (x,) + state)
        else:
            y, cache, self._state = self._forward(x, state)
        self._caches = [cache]
        return y

    def step(self, x_t):
        """One time step ``x_t`` (B, D) -> (B, out), continuing the previous ``step``/``forward``."""
        x_t = shape(float_array(x_t, "x_t", self.xp, self.dtype), "x_t", (None, self.input_size))
        if self._caches:
            running = self._caches[-1]["out_shape"]
            if len(running) != 3 or running[0] != x_t.shape[0]:
                raise ValueError(f"x_t (batch size {x_t.shape[0]}) cannot continue the run since the last "
                                 f"truncate(), of output shape {running}: call truncate() first")
        state = self._state or self._states((None,) * len(self.state_names), x_t.shape[0], self.state_names)
        y, cache = self._run(x_t[:, None], state, (x_t,))
        self._caches.append(cache)
        return y[:, 0]

    def _run(self, x, state, given):
        """``_forward``, then the cache and the output made the layer's own: no array in the cache
        shares memory with the caller's ``given`` arrays, nor the output with those or the cache."""
        y, cache, self._state = self._forward(x, state)
        xp = self.xp
        caller, owners = {_owner(a, xp) for a in given}, set()
        for key, value in cache.items():
            if isinstance(value, xp.ndarray):
                owner = id(value) if value.base is None else _owner(value, xp)
                if owner in caller:
                    cache[key] = value = value.copy()
                    owner = id(value)
                owners.add(owner)
        owner = id(y) if y.base is None else _owner(y, xp)
        if owner in caller or owner in owners:
            y = y.copy()
        return y, cache

    def truncate(self):
        """Forget the running state and the stored history (truncated BPTT cuts here)."""
        self._state = ()
        self._caches = []

    def backward(self, dout, *dfinal, validate=True):
        """Gradient of the loss w.r.t. every output step ``dout`` -> dx; sets ``grads`` and ``dstate0``.

        ``dfinal`` optionally holds gradients arriving at the final state(s) (``dh_T``, ``dc_T``).
        ``validate=False`` trusts ``dout`` to have the output's shape, dtype and module (``Sequential``
        passes each layer the gradient the next layer returned).
        """
        cache = self._stored()
        if validate:
            dout = shape(float_array(dout, "dout", self.xp, self.dtype), "dout", cache["out_shape"])
        names = tuple("d" + n[:-1] + "_T" for n in self.state_names)
        dfinal = self._states(dfinal + (None,) * (len(names) - len(dfinal)), dout.shape[0], names)
        dx, self.dstate0 = self._backward(dout, cache, dfinal)
        return dx

    def _dstate(self, k):
        """``dstate0[k]``: the gradient w.r.t. the initial state ``state_names[k]``, set by ``backward``."""
        if not hasattr(self, "dstate0"):
            raise ValueError(f"d{self.state_names[k]} is set by backward(): call forward() and backward() first")
        return self.dstate0[k]

    def _stored(self, caller="backward()"):
        """The cache of the run since the last ``forward``/``truncate`` (step caches merged)."""
        if not self._caches:
            raise ValueError(f"{caller} called before forward(): no forward pass is stored "
                             "(or truncate() discarded it)")
        if len(self._caches) > 1:
            self._caches = [self._merge(self._caches)]
        return self._caches[0]
